import { randomUUID } from 'node:crypto';
import type { MethodRequest } from './collector-methods';
import { EVENT_TYPES } from './event-log';
import type { SimEvent } from './event-log';
import type { ManagedObject } from './managed-object';
import { faults } from './vim-fault';
import { data, Mor } from './vim-value';
import type { DataObject, VimValue } from './vim-value';
import { child, childNumber, childText, children, toMor } from './xml-node';
import type { XNode } from './xml-node';

// EventManager: its description (event categories), QueryEvents, and EventHistoryCollector (latestPage,
// paging with ReadNext/ReadPreviousEvents), as `govc events` and pyVmomi scripts use them.

export function eventManagerProperties(): Record<string, VimValue | undefined> {
  const types = Object.entries(EVENT_TYPES);
  return {
    description: data('EventDescription', {
      category: ['info', 'warning', 'error', 'user'].map((c) =>
        data('ElementDescription', { label: c, summary: c, key: c }),
      ),
      eventInfo: types.map(([key, t]) =>
        data('EventDescriptionEventDetail', { key, description: t.description, category: t.category }),
      ),
    }),
    maxCollector: 32,
  };
}

interface EventFilter {
  entity: Mor | undefined;
  recursion: string;
  eventTypeId: string[];
  maxCount: number | undefined;
}

function parseFilter(node: XNode | undefined): EventFilter {
  const byEntity = child(node, 'entity');
  return {
    entity: toMor(child(byEntity, 'entity')),
    recursion: childText(byEntity, 'recursion') ?? 'self',
    eventTypeId: children(node, 'eventTypeId').map((t) => t.text.trim()),
    maxCount: childNumber(node, 'maxCount'),
  };
}

function matches(e: SimEvent, f: EventFilter, rootFolder: string): boolean {
  if (f.eventTypeId.length > 0 && !f.eventTypeId.includes(e.type)) return false;
  const target = f.entity;
  if (!target) return true;
  // Events about no entity (logins) belong to the whole inventory.
  if (e.entities.length === 0) return target.value === rootFolder && f.recursion !== 'self';
  return e.entities.some((x) => {
    if (x.ref.value === target.value) return true;
    if (f.recursion === 'all') return x.ancestors.some((a) => a.value === target.value);
    if (f.recursion === 'children') return x.ancestors[0]?.value === target.value;
    return false;
  });
}

export class EventHistoryCollector implements ManagedObject {
  pageSize = 10;
  /** Scroll position for ReadNext/ReadPreviousEvents: an index into the matching events (oldest first). */
  private position: number;

  constructor(
    readonly ref: Mor,
    private readonly events: () => readonly SimEvent[],
    private readonly filter: EventFilter,
    private readonly rootFolder: string,
  ) {
    this.position = this.matching().length;
  }

  matching(): SimEvent[] {
    const all = this.events().filter((e) => matches(e, this.filter, this.rootFolder));
    return this.filter.maxCount !== undefined ? all.slice(-this.filter.maxCount) : all;
  }

  properties(): Record<string, VimValue | undefined> {
    // latestPage: the newest events, newest first.
    const page = this.matching().slice(-this.pageSize).reverse();
    return { latestPage: page.map((e) => e.value) };
  }

  readNext(max: number): DataObject[] {
    const all = this.matching();
    const out = all.slice(this.position, this.position + max);
    this.position = Math.min(all.length, this.position + out.length);
    return out.map((e) => e.value);
  }

  readPrevious(max: number): DataObject[] {
    const all = this.matching();
    const start = Math.max(0, Math.min(this.position, all.length) - max);
    const out = all.slice(start, Math.min(this.position, all.length)).reverse();
    this.position = start;
    return out.map((e) => e.value);
  }

  rewind(): void {
    this.position = 0;
  }

  reset(): void {
    this.position = this.matching().length;
  }
}

function collectorOf(req: MethodRequest): EventHistoryCollector {
  const obj = req.engine.registry.get(req.self);
  if (!(obj instanceof EventHistoryCollector)) throw faults.notFound(req.self);
  return obj;
}

function maxCount(req: MethodRequest): number {
  const n = childNumber(req.body, 'maxCount');
  if (n === undefined || !Number.isInteger(n) || n <= 0 || n > 1000) throw faults.invalidArgument('maxCount');
  return n;
}

export const eventMethods: Record<string, (req: MethodRequest) => VimValue | undefined> = {
  QueryEvents: (req) => {
    const filter = parseFilter(child(req.body, 'filter'));
    const root = req.engine.rootFolder.ref.value;
    const found = req.engine.events.list().filter((e) => matches(e, filter, root));
    return (filter.maxCount !== undefined ? found.slice(-filter.maxCount) : found).map((e) => e.value);
  },
  CreateCollectorForEvents: (req) => {
    const filter = parseFilter(child(req.body, 'filter'));
    if (filter.entity) req.engine.registry.get(filter.entity);
    const id = `session[${req.ctx.sessionKey ?? 'anonymous'}]${randomUUID()}`;
    const collector = new EventHistoryCollector(
      new Mor('EventHistoryCollector', id),
      () => req.engine.events.list(),
      filter,
      req.engine.rootFolder.ref.value,
    );
    return req.engine.registry.add(collector).ref;
  },
  SetCollectorPageSize: (req) => {
    const c = collectorOf(req);
    const size = childNumber(req.body, 'maxCount');
    if (size === undefined || !Number.isInteger(size) || size < 0) throw faults.invalidArgument('maxCount');
    c.pageSize = size;
    req.engine.notify();
    return undefined;
  },
  ReadNextEvents: (req) => collectorOf(req).readNext(maxCount(req)),
  ReadPreviousEvents: (req) => collectorOf(req).readPrevious(maxCount(req)),
  RewindCollector: (req) => {
    collectorOf(req).rewind();
    return undefined;
  },
  ResetCollector: (req) => {
    collectorOf(req).reset();
    return undefined;
  },
  DestroyCollector: (req) => {
    collectorOf(req);
    req.engine.registry.remove(req.self);
    return undefined;
  },
};
