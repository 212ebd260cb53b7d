import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AUTH_ERROR_TEXT } from './api-error';
import { CloudStackSimulator, type CloudStackSimulatorOptions, type Inventory } from './cloudstack-simulator';
import type { FaultControls, FaultOptions } from './faults';
import { verifyRequest } from './request-auth';

export interface StartCloudStackSimulatorOptions extends CloudStackSimulatorOptions {
  port?: number;
  host?: string;
  apiKey: string;
  secretKey: string;
}

export interface CloudStackSimulatorHandle {
  /** The API endpoint, `http://host:port/client/api`. */
  url: string;
  /** `host:port`, what an operator would type. */
  hostPort: string;
  port: number;
  serverVmId: string;
  simulator: CloudStackSimulator;
  controls: FaultControls;
  inventory(): Inventory;
  close(): Promise<void>;
}

const MAX_BODY = 1024 * 1024;

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Query and form parameters, decoded as a servlet does (`+` is a space); the first value of a name wins. */
function parseParams(query: string, body: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const source of [query, body]) {
    for (const [name, value] of new URLSearchParams(source)) if (!(name in out)) out[name] = value;
  }
  return out;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

async function handleApi(
  sim: CloudStackSimulator,
  keys: { apiKey: string; secretKey: string },
  req: IncomingMessage,
  res: ServerResponse,
  query: string,
): Promise<void> {
  const body = req.method === 'POST' ? await readBody(req) : '';
  const params = parseParams(query, body);
  const command = params.command ?? '';
  if (!verifyRequest(params, keys, sim.clock.now())) {
    const wrapper = command ? `${command.toLowerCase()}response` : 'errorresponse';
    sendJson(res, 401, { [wrapper]: { uuidList: [], errorcode: 401, errortext: AUTH_ERROR_TEXT } });
    return;
  }
  const result = await sim.execute(command, params);
  if (result.drop) {
    req.socket.destroy();
    return;
  }
  sendJson(res, result.status, result.body);
}

interface FaultRequest extends FaultOptions {
  command?: string;
  count?: number;
  target?: 'call' | 'job';
}

async function handleControl(sim: CloudStackSimulator, req: IncomingMessage, res: ServerResponse, path: string) {
  const body = req.method === 'GET' || req.method === 'DELETE' ? '' : await readBody(req);
  const input = (body ? JSON.parse(body) : {}) as Record<string, unknown>;
  if (path === '/_sim/inventory' && req.method === 'GET') return sendJson(res, 200, sim.inventory());
  if (path === '/_sim/faults' && req.method === 'GET') return sendJson(res, 200, sim.faults.describe());
  if (path === '/_sim/faults' && req.method === 'DELETE') {
    sim.faults.clear();
    return sendJson(res, 200, sim.faults.describe());
  }
  if (path === '/_sim/faults' && req.method === 'POST') {
    const fault = input as FaultRequest;
    if (typeof fault.command !== 'string') return sendJson(res, 400, { error: 'command is required' });
    const options: FaultOptions = {};
    if (fault.errorcode !== undefined) options.errorcode = fault.errorcode;
    if (fault.errortext !== undefined) options.errortext = fault.errortext;
    if (fault.mode !== undefined) options.mode = fault.mode;
    if (fault.target === 'job') sim.faults.failJobs(fault.command, fault.count ?? 1, options);
    else sim.faults.failNext(fault.command, fault.count ?? 1, options);
    return sendJson(res, 200, sim.faults.describe());
  }
  if (path === '/_sim/latency' && req.method === 'POST') {
    sim.faults.setLatency(typeof input.command === 'string' ? input.command : '*', Number(input.ms ?? 0));
    return sendJson(res, 200, sim.faults.describe());
  }
  if (path === '/_sim/failure-rate' && req.method === 'POST') {
    sim.faults.setFailureRate(Number(input.rate ?? 0), {
      ...(typeof input.errorcode === 'number' ? { errorcode: input.errorcode } : {}),
      ...(Array.isArray(input.commands) ? { commands: input.commands.map(String) } : {}),
      ...(typeof input.seed === 'number' ? { seed: input.seed } : {}),
      ...(typeof input.jobs === 'boolean' ? { jobs: input.jobs } : {}),
    });
    return sendJson(res, 200, sim.faults.describe());
  }
  return sendJson(res, 404, { error: `no control ${req.method ?? ''} ${path}` });
}

/** Starts the simulator behind node:http: the API at /client/api, test controls under /_sim/. */
export async function startCloudStackSimulator(
  options: StartCloudStackSimulatorOptions,
): Promise<CloudStackSimulatorHandle> {
  const sim = await CloudStackSimulator.open(options);
  const keys = { apiKey: options.apiKey, secretKey: options.secretKey };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sim');
    const path = url.pathname.replace(/\/+$/, '');
    const work =
      path === '/client/api'
        ? handleApi(sim, keys, req, res, url.search.slice(1))
        : path.startsWith('/_sim/')
          ? handleControl(sim, req, res, path)
          : Promise.resolve().then(() => {
              res.writeHead(404, { 'content-type': 'text/html' });
              res.end('<html><body><h1>404 Not Found</h1></body></html>');
            });
    work.catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: error instanceof Error ? error.message : String(error) });
      else res.destroy();
    });
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const hostPort = `${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url: `http://${hostPort}/client/api`,
    hostPort,
    port,
    serverVmId: sim.serverVmId,
    simulator: sim,
    controls: sim.faults,
    inventory: () => sim.inventory(),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await sim.close();
    },
  };
}
