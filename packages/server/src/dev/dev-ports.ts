// The dev stack's ports: `npm start` must start on a machine where another program already holds one of the
// defaults. A taken default port is replaced by an ephemeral one (and said so); a port the operator chose by
// its variable is never silently replaced: start-up fails naming the component and the variable.
import { createServer } from 'node:net';
import { ConfigError } from '../config/server-config';

export interface DevPortRequest {
  /** What listens there, for the messages ("vCenter simulator"). */
  component: string;
  /** The variable that sets it. */
  variable: string;
  host: string;
  port: number;
  /** Set by the operator through `variable` (never replaced), rather than a default. */
  explicit: boolean;
}

export interface ResolvedDevPort {
  port: number;
  /** Set when a taken default was replaced: a line for the terminal. */
  notice: string | undefined;
}

/** Whether `host:port` can be bound now (0 always can). */
export async function isPortFree(host: string, port: number): Promise<boolean> {
  if (port === 0) return true;
  return new Promise((resolveFree, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') resolveFree(false);
      else reject(error);
    });
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolveFree(true)));
  });
}

/** The port to listen on: the requested one when free, 0 (ephemeral) for a taken default, else a ConfigError. */
export async function resolveDevPort(request: DevPortRequest): Promise<ResolvedDevPort> {
  if (await isPortFree(request.host, request.port)) return { port: request.port, notice: undefined };
  if (request.explicit)
    throw new ConfigError(
      request.variable,
      `port ${request.port} of the ${request.component} (${request.host}) is already in use; ` +
        `choose a free port, or unset ${request.variable} to let the dev stack pick one`,
    );
  return {
    port: 0,
    notice: `Port ${request.port} of the ${request.component} is taken; using a free one (set ${request.variable} to choose)`,
  };
}
