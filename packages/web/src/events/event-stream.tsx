import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { SERVER_EVENT_TYPES, type ServerEventOf } from '@migratekit/core/events';
import { jobStatuses } from '@migratekit/core/statuses';
import type { Job, JobStep, LogEvent, VmContext } from '../api/models';

/** One server-sent event, typed by the server's own event union with the API's wire shapes as payloads. */
export type StreamEvent = ServerEventOf<{ job: Job; step: JobStep; log: LogEvent; date: string }>;

type Listener = (event: StreamEvent) => void;

interface EventStreamState {
  subscribe: (listener: Listener) => () => void;
  connected: boolean;
}

const EventStreamContext = createContext<EventStreamState | null>(null);

const KNOWN_TYPES: readonly string[] = SERVER_EVENT_TYPES;

/** The server's own JSON for one of its events; null for anything else (a newer server's new event type). */
function parse(raw: string): StreamEvent | null {
  try {
    const data = JSON.parse(raw) as unknown;
    if (typeof data === 'object' && data !== null && 'type' in data && typeof data.type === 'string')
      return KNOWN_TYPES.includes(data.type) ? (data as StreamEvent) : null;
  } catch {
    // A comment or keep-alive line carries no JSON.
  }
  return null;
}

/** The VM context an event concerns, if any. */
function contextOf(event: StreamEvent): string | null {
  switch (event.type) {
    case 'job.updated':
      return event.job.vm_context_id;
    case 'context.updated':
    case 'replication.progress':
    case 'rpo.alert':
      return event.context_id;
    default:
      return null;
  }
}

/** One EventSource for the whole dashboard (no polling): pages subscribe, lists are invalidated on change. */
export function EventStreamProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const listeners = useRef(new Set<Listener>());
  const [connected, setConnected] = useState(false);

  useEffect(() => {
    const source = new EventSource('/api/v1/events', { withCredentials: true });
    let pending: ReturnType<typeof setTimeout> | undefined;
    const touched = new Map<string, readonly unknown[]>();
    const touch = (key: readonly unknown[]) => touched.set(JSON.stringify(key), key);
    const flush = () => {
      pending = undefined;
      for (const key of touched.values()) void qc.invalidateQueries({ queryKey: key });
      touched.clear();
    };
    const dispatch = (e: MessageEvent<string>) => {
      const event = parse(e.data);
      if (!event) return;
      for (const l of listeners.current) l(event);
      if (event.type === 'context.updated') {
        // Patch the one row in place: refetching 10,000 VMs for one status change would not scale. `changes`
        // holds other columns of the context row, which the list row carries under the same names.
        const patch = { ...event.changes, current_status: event.current_status };
        qc.setQueryData<VmContext[]>(['contexts'], (list) =>
          list?.map((vm) => (vm.context_id === event.context_id ? { ...vm, ...patch } : vm)),
        );
      }
      const contextId = contextOf(event);
      if (contextId !== null) touch(['contexts', contextId]);
      // A finished job changes a VM's last sync and counters: refresh the list once then, not on every progress tick.
      if (event.type === 'job.updated' && jobStatuses.isFinal(event.job.status)) touch(['contexts']);
      // Coalesce bursts of progress events into one refetch per list per second.
      // An RPO alert changes the VM list's RPO column; an execution changes the Schedules page.
      if (event.type === 'rpo.alert') touch(['contexts']);
      if (event.type === 'schedule.execution') touch(['scheduler']);
      else if (event.type !== 'context.updated' && event.type !== 'rpo.alert') touch(['jobs']);
      if (touched.size > 0) pending ??= setTimeout(flush, 1000);
    };
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(false);
    // EventSource only delivers a named event to a listener for that name.
    for (const name of SERVER_EVENT_TYPES) source.addEventListener(name, dispatch);
    return () => {
      for (const name of SERVER_EVENT_TYPES) source.removeEventListener(name, dispatch);
      if (pending) clearTimeout(pending);
      source.close();
    };
  }, [qc]);

  const subscribe = useCallback((listener: Listener) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);
  const value = useMemo(() => ({ subscribe, connected }), [subscribe, connected]);
  return <EventStreamContext.Provider value={value}>{children}</EventStreamContext.Provider>;
}

export function useEventStream(): EventStreamState {
  const ctx = useContext(EventStreamContext);
  if (!ctx) throw new Error('useEventStream outside EventStreamProvider');
  return ctx;
}

export function useStreamListener(listener: Listener): void {
  const { subscribe } = useEventStream();
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => subscribe((e) => ref.current(e)), [subscribe]);
}
