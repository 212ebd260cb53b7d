// GET /api/v1/events: Server-Sent Events for job and context changes, so the GUI needs no polling. Filter by
// job_id (the job and its child jobs) or context_id. A comment line every sseHeartbeatMs keeps proxies from
// closing an idle stream; the heartbeat sleeps on the injected clock so tests move time instead of waiting.
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import type { RouteDeps, RoutePlugin } from '../app-context';
import type { ServerEvent } from '../events/event-types';

const EventsQuery = Type.Object(
  {
    job_id: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'Only this job and its child jobs' }),
    ),
    context_id: Type.Optional(
      Type.String({ minLength: 1, maxLength: 200, description: 'Only jobs and changes of this VM context' }),
    ),
  },
  { additionalProperties: false },
);
type EventsQuery = Static<typeof EventsQuery>;

/** Decides per event whether a connection with this filter receives it; remembers which jobs matched. */
export class EventFilter {
  private readonly jobContext = new Map<string, string | null>();
  private readonly matchedJobs = new Set<string>();

  constructor(
    private readonly query: EventsQuery,
    private readonly lookupJobContext: (
      jobId: string,
    ) => Promise<{ context: string | null; parent: string | null } | undefined>,
  ) {}

  async accepts(event: ServerEvent): Promise<boolean> {
    const { job_id: jobFilter, context_id: contextFilter } = this.query;
    if (jobFilter === undefined && contextFilter === undefined) return true;
    if (event.type === 'context.updated' || event.type === 'rpo.alert')
      return jobFilter === undefined && event.context_id === contextFilter;
    // Schedule executions concern many VMs: only unfiltered streams carry them.
    if (event.type === 'schedule.execution') return false;
    if (event.type === 'job.updated') {
      const { job } = event;
      this.jobContext.set(job.id, job.vm_context_id);
      const ok = this.jobMatches(job.id, job.parent_job_id, job.vm_context_id);
      if (ok) this.matchedJobs.add(job.id);
      return ok;
    }
    if (this.matchedJobs.has(event.job_id)) return true;
    if (this.jobContext.has(event.job_id)) return false;
    // A job that started before this connection: look it up once.
    const found = await this.lookupJobContext(event.job_id);
    this.jobContext.set(event.job_id, found?.context ?? null);
    const ok = found !== undefined && this.jobMatches(event.job_id, found.parent, found.context);
    if (ok) this.matchedJobs.add(event.job_id);
    return ok;
  }

  private jobMatches(id: string, parent: string | null, context: string | null): boolean {
    const { job_id: jobFilter, context_id: contextFilter } = this.query;
    if (
      jobFilter !== undefined &&
      id !== jobFilter &&
      parent !== jobFilter &&
      !(parent !== null && this.matchedJobs.has(parent))
    )
      return false;
    if (contextFilter !== undefined && context !== contextFilter) return false;
    return true;
  }
}

function frame(id: number, event: ServerEvent): string {
  return `id: ${id}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * Bytes a connection may have queued (in the response and its socket) before it counts as stalled. A client
 * that stops reading is dropped at this point instead of having every later event buffered for it.
 */
export const SSE_MAX_BUFFERED_BYTES = 1024 * 1024;

/**
 * Writes unless the stream has ended (a write after end would raise an unhandled 'error' on the response);
 * calls `onStalled` once the client has let more than SSE_MAX_BUFFERED_BYTES pile up.
 */
function writer(reply: FastifyReply, signal: AbortSignal, onStalled: () => void): (text: string) => void {
  return (text) => {
    if (signal.aborted || reply.raw.writableEnded || reply.raw.destroyed) return;
    reply.raw.write(text);
    if (reply.raw.writableLength > SSE_MAX_BUFFERED_BYTES) onStalled();
  };
}

async function heartbeat(deps: RouteDeps, write: (text: string) => void, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    try {
      await deps.clock.sleep(deps.config.sseHeartbeatMs, signal);
    } catch {
      return;
    }
    write(`: heartbeat ${deps.clock.now().toISOString()}\n\n`);
  }
}

export const eventRoutes: RoutePlugin = (app, { deps, services }) => {
  const open = new Set<AbortController>();
  app.addHook('onClose', (_instance, done) => {
    for (const controller of open) controller.abort();
    done();
  });

  app.get<{ Querystring: EventsQuery }>(
    '/api/v1/events',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Live stream (text/event-stream) of job.updated, job.step, job.log and context.updated events',
        querystring: EventsQuery,
      },
    },
    (request, reply) => {
      const filter = new EventFilter(request.query, async (jobId) => {
        const job = await services.jobs.getJob(jobId);
        return job === undefined ? undefined : { context: job.vm_context_id, parent: job.parent_job_id };
      });
      const controller = new AbortController();
      open.add(controller);
      reply.hijack();
      reply.raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-request-id': request.id,
      });
      const write = writer(reply, controller.signal, () => {
        request.log.warn(
          { buffered_bytes: reply.raw.writableLength, limit: SSE_MAX_BUFFERED_BYTES },
          'SSE client is not reading; dropping its stream',
        );
        // end() would wait to flush what the client does not read; the socket goes now.
        reply.raw.destroy();
        finish();
      });
      write('retry: 3000\n: connected\n\n');

      let sequence = 0;
      // Events go through one chain so an async filter lookup never reorders them.
      let chain = Promise.resolve();
      // remote: the stream also carries the events of the other servers sharing the database.
      const unsubscribe = deps.events.subscribe(
        (event) => {
          chain = chain
            .then(async () => {
              if (controller.signal.aborted || !(await filter.accepts(event))) return;
              sequence += 1;
              write(frame(sequence, event));
            })
            .catch((error: unknown) => request.log.warn({ err: error }, 'dropped an SSE event'));
        },
        { remote: true },
      );
      function finish(): void {
        if (!open.delete(controller)) return;
        controller.abort();
        unsubscribe();
        if (!reply.raw.destroyed) reply.raw.end();
      }
      controller.signal.addEventListener('abort', finish, { once: true });
      request.raw.on('close', finish);
      // A client that vanishes mid-write must not surface as an unhandled stream error.
      reply.raw.on('error', (error) => {
        request.log.debug({ err: error }, 'SSE stream error');
        finish();
      });
      void heartbeat(deps, write, controller.signal);
    },
  );
};
