// How a live-stream event travels between servers (docs/scale-out.md#events-across-servers): JSON with the
// publishing server's id. Dates serialise as ISO-8601 strings and come back as Date, so a remote subscriber
// gets what a local one gets and the SSE frame it writes is byte for byte the same. Only keys that hold dates
// in the records (`at` and `*_at`) are revived; a date-like string elsewhere (a log field) stays a string.
import { SERVER_EVENT_TYPES, type ServerEvent } from './event-types';

/** The events that cross to other servers: every event the stream (GET /api/v1/events) carries. */
export const CROSS_SERVER_EVENT_TYPES: ReadonlySet<string> = new Set<string>(SERVER_EVENT_TYPES);

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function reviveDates(key: string, value: unknown): unknown {
  if (typeof value === 'string' && (key === 'at' || key.endsWith('_at')) && ISO_UTC.test(value)) return new Date(value);
  return value;
}

export function encodeEvent(event: ServerEvent): string {
  return JSON.stringify(event);
}

/** The event in `json`, or undefined when it is not an event this server knows (a newer server's type). */
export function decodeEvent(json: string): ServerEvent | undefined {
  const value = JSON.parse(json, reviveDates) as { type?: unknown } | null;
  if (value === null || typeof value !== 'object' || typeof value.type !== 'string') return undefined;
  return CROSS_SERVER_EVENT_TYPES.has(value.type) ? (value as ServerEvent) : undefined;
}

/**
 * Lets through at most one replication.progress per job per `minIntervalMs` (the agent may report many per
 * second; a dashboard on another server needs about one). Every other event passes. Leading edge: the first
 * report of an interval goes, later ones in it are dropped; the job's own job.updated carries its final state.
 */
export class ProgressThrottle {
  private readonly lastSent = new Map<string, number>();

  constructor(
    private readonly minIntervalMs: number,
    private readonly now: () => number,
    private readonly maxTrackedJobs = 10_000,
  ) {}

  admits(event: ServerEvent): boolean {
    if (event.type !== 'replication.progress' || this.minIntervalMs <= 0) return true;
    const now = this.now();
    const last = this.lastSent.get(event.job_id);
    if (last !== undefined && now - last < this.minIntervalMs) return false;
    if (this.lastSent.size >= this.maxTrackedJobs) this.forgetBefore(now - this.minIntervalMs);
    this.lastSent.set(event.job_id, now);
    return true;
  }

  private forgetBefore(cutoff: number): void {
    for (const [jobId, sentAt] of this.lastSent) if (sentAt <= cutoff) this.lastSent.delete(jobId);
    // Still full (that many jobs reported within one interval): start over rather than grow.
    if (this.lastSent.size >= this.maxTrackedJobs) this.lastSent.clear();
  }
}

/** A message between servers: the publishing server and the event, or the id of its server_events row. */
export type Envelope = { origin: string; event: ServerEvent } | { origin: string; ref: number };

export function encodeEnvelope(origin: string, event: ServerEvent): string {
  return `{"o":${JSON.stringify(origin)},"e":${encodeEvent(event)}}`;
}

export function encodeReference(origin: string, id: number): string {
  return JSON.stringify({ o: origin, r: id });
}

/** The envelope in `text`; undefined for a malformed message or an event type this server does not know. */
export function decodeEnvelope(text: string): Envelope | undefined {
  const value = JSON.parse(text, reviveDates) as { o?: unknown; e?: unknown; r?: unknown } | null;
  if (value === null || typeof value !== 'object' || typeof value.o !== 'string') return undefined;
  if (typeof value.r === 'number') return { origin: value.o, ref: value.r };
  const event = value.e as { type?: unknown } | null | undefined;
  if (event === null || typeof event !== 'object' || typeof event.type !== 'string') return undefined;
  return CROSS_SERVER_EVENT_TYPES.has(event.type) ? { origin: value.o, event: event as ServerEvent } : undefined;
}
