import { useQueryClient } from '@tanstack/react-query';
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import type { VmContext } from '../api/types';

/** One server-sent event as the dashboard sees it: its name and its parsed JSON payload. */
export interface StreamEvent {
  type: string;
  data: Record<string, unknown>;
}

type Listener = (event: StreamEvent) => void;

interface EventStreamState {
  subscribe: (listener: Listener) => () => void;
  connected: boolean;
}

const EventStreamContext = createContext<EventStreamState | null>(null);

// Named events the server emits; EventSource only delivers a named event to a listener for that name.
const EVENT_NAMES = [
  'job.created',
  'job.updated',
  'job.progress',
  'job.step',
  'job.log',
  'job.completed',
  'job.failed',
  'job',
  'step',
  'log',
  'progress',
  'context.updated',
  'replication.progress',
  'context',
  'agent.updated',
];

const FINISHED = new Set(['completed', 'failed', 'cancelled', 'interrupted', 'compensated']);

function parse(type: string, raw: string): StreamEvent | null {
  try {
    const data = JSON.parse(raw) as unknown;
    if (data && typeof data === 'object' && !Array.isArray(data)) {
      const record = data as Record<string, unknown>;
      const inner = typeof record.type === 'string' ? record.type : type;
      return { type: inner, data: record };
    }
  } catch {
    // A comment or keep-alive line carries no JSON.
  }
  return null;
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
    const dispatch = (type: string) => (e: MessageEvent<string>) => {
      const event = parse(type, e.data);
      if (!event) return;
      for (const l of listeners.current) l(event);
      const d = event.data;
      const job = typeof d.job === 'object' && d.job !== null ? (d.job as Record<string, unknown>) : undefined;
      const contextId = d.context_id ?? job?.vm_context_id;
      if (event.type === 'context.updated' && typeof d.context_id === 'string') {
        // Patch the one row in place: refetching 10,000 VMs for one status change would not scale.
        const patch = {
          current_status: d.current_status,
          ...(typeof d.changes === 'object' && d.changes ? d.changes : {}),
        };
        qc.setQueryData<VmContext[]>(['contexts'], (list) =>
          list?.map((vm) => (vm.context_id === d.context_id ? ({ ...vm, ...patch } as VmContext) : vm)),
        );
      }
      if (typeof contextId === 'string') touch(['contexts', contextId]);
      // A finished job changes a VM's last sync and counters: refresh the list once then, not on every progress tick.
      if (event.type === 'job.updated' && typeof job?.status === 'string' && FINISHED.has(job.status))
        touch(['contexts']);
      // Coalesce bursts of progress events into one refetch per list per second.
      if (event.type.startsWith('job') || event.type.startsWith('replication')) touch(['jobs']);
      if (event.type.startsWith('agent')) touch(['agents']);
      if (touched.size > 0) pending ??= setTimeout(flush, 1000);
    };
    source.onopen = () => setConnected(true);
    source.onerror = () => setConnected(false);
    source.onmessage = dispatch('message');
    const named = EVENT_NAMES.map((name) => [name, dispatch(name)] as const);
    for (const [name, fn] of named) source.addEventListener(name, fn);
    return () => {
      for (const [name, fn] of named) source.removeEventListener(name, fn);
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
