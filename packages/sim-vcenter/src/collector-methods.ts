import { randomUUID } from 'node:crypto';
import type { CallContext, ManagedObject, SimEntity } from './managed-object';
import { containerEntity } from './view-methods';
import { collect, objectContent, parseFilterSpec, PropertyFilter } from './property-collector';
import type { CollectedObject } from './property-collector';
import type { VCenterEngine } from './vcenter-engine';
import { faults } from './vim-fault';
import { data, Mor } from './vim-value';
import type { DataObject, VimValue } from './vim-value';
import { child, childBool, childNumber, childText, children, toMor } from './xml-node';
import type { XNode } from './xml-node';

// PropertyCollector and SearchIndex methods (views: view-methods.ts). Session-scoped objects (extra collectors,
// filters, container views) get ids like vCenter's "session[<key>]<uuid>" and die with the session.

export interface MethodRequest {
  engine: VCenterEngine;
  ctx: CallContext;
  userName: string;
  self: Mor;
  body: XNode;
}

class CollectorObject implements ManagedObject {
  readonly filters = new Map<string, PropertyFilter>();
  readonly pages = new Map<string, { objects: CollectedObject[]; size: number }>();
  constructor(
    readonly ref: Mor,
    readonly sessionKey: string | undefined,
  ) {}
  properties(): Record<string, VimValue | undefined> {
    return { filter: [...this.filters.values()].map((f) => f.ref) };
  }
}

function collectorFor(req: MethodRequest): CollectorObject {
  if (req.self.value === 'propertyCollector') {
    // The shared collector keeps per-session state (filters, pages).
    const key = req.ctx.sessionKey ?? '';
    const existing = req.engine.sessionCollectors.get(key);
    if (existing instanceof CollectorObject) return existing;
    const c = new CollectorObject(req.self, req.ctx.sessionKey);
    req.engine.sessionCollectors.set(key, c);
    return c;
  }
  const obj = req.engine.registry.get(req.self);
  if (!(obj instanceof CollectorObject)) throw faults.notFound(req.self);
  return obj;
}

function sessionId(req: MethodRequest): string {
  return `session[${req.ctx.sessionKey ?? 'anonymous'}]${randomUUID()}`;
}

function page(collector: CollectorObject, objects: CollectedObject[], max: number | undefined): DataObject | undefined {
  if (objects.length === 0) return undefined;
  const limit = max && max > 0 ? max : objects.length;
  const first = objects.slice(0, limit);
  const rest = objects.slice(limit);
  let token: string | undefined;
  if (rest.length > 0) {
    token = randomUUID();
    collector.pages.set(token, { objects: rest, size: limit });
  }
  return data('RetrieveResult', { token, objects: first.map(objectContent) });
}

function specSets(req: MethodRequest): CollectedObject[] {
  const out: CollectedObject[] = [];
  for (const s of children(req.body, 'specSet')) out.push(...collect(req.engine.registry, parseFilterSpec(s), req.ctx));
  return out;
}

function pendingUpdates(req: MethodRequest, collector: CollectorObject, version: string): DataObject | undefined {
  const filterSet: DataObject[] = [];
  for (const f of collector.filters.values()) {
    const objectSet = f.updates(req.engine.registry, req.ctx);
    if (objectSet.length > 0) filterSet.push(data('PropertyFilterUpdate', { filter: f.ref, objectSet }));
  }
  if (filterSet.length === 0) return undefined;
  const next = String(Number(version.replace(/\D/g, '') || '0') + 1);
  return data('UpdateSet', { version: next, filterSet, truncated: false });
}

function nextChange(req: MethodRequest, ms: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      req.engine.changes.off('change', done);
      resolve();
    }
    req.engine.changes.on('change', done);
  });
}

/**
 * The updates since `version` (all of them for ""), waiting up to `maxWaitSeconds` for some (undefined: as
 * long as it takes, as WaitForUpdates does; 0: no wait, as CheckForUpdates does). Undefined when none came.
 */
async function collectUpdates(req: MethodRequest, maxWaitSeconds: number | undefined): Promise<DataObject | undefined> {
  const collector = collectorFor(req);
  const version = childText(req.body, 'version') ?? '';
  if (version === '') for (const f of collector.filters.values()) f.reset();
  const deadline = maxWaitSeconds === undefined ? Infinity : Date.now() + maxWaitSeconds * 1000;
  for (;;) {
    const found = pendingUpdates(req, collector, version);
    if (found) return found;
    const left = deadline - Date.now();
    // A waiter whose session ended (Logout, expiry) stops, so an abandoned wait does not live on.
    const sessionGone = req.ctx.sessionKey !== undefined && !req.engine.sessions.get(req.ctx.sessionKey);
    if (left <= 0 || req.engine.isClosed || sessionGone) return undefined;
    // Wake at least every minute: a CancelWaitForUpdates or a closing simulator also emits "change".
    await nextChange(req, Math.min(left, 60_000));
  }
}

function findByPath(req: MethodRequest, path: string): Mor | undefined {
  let cur: SimEntity = req.engine.rootFolder;
  for (const part of path.split('/').filter(Boolean)) {
    const next = cur.children.find((c) => c.name === part);
    if (!next) return undefined;
    cur = next;
  }
  return cur.ref;
}

export const collectorMethods: Record<
  string,
  (req: MethodRequest) => Promise<VimValue | undefined> | VimValue | undefined
> = {
  RetrieveProperties: (req) => specSets(req).map(objectContent),
  RetrievePropertiesEx: (req) =>
    page(collectorFor(req), specSets(req), childNumber(child(req.body, 'options'), 'maxObjects')),
  ContinueRetrievePropertiesEx: (req) => {
    const collector = collectorFor(req);
    const token = childText(req.body, 'token') ?? '';
    const entry = collector.pages.get(token);
    if (!entry) throw faults.invalidArgument('token');
    collector.pages.delete(token);
    return page(collector, entry.objects, entry.size);
  },
  CancelRetrievePropertiesEx: (req) => {
    collectorFor(req).pages.delete(childText(req.body, 'token') ?? '');
    return undefined;
  },
  CreatePropertyCollector: (req) =>
    req.engine.registry.add(new CollectorObject(new Mor('PropertyCollector', sessionId(req)), req.ctx.sessionKey)).ref,
  DestroyPropertyCollector: (req) => {
    const c = collectorFor(req);
    for (const f of c.filters.values()) req.engine.registry.remove(f.ref);
    if (req.self.value !== 'propertyCollector') req.engine.registry.remove(req.self);
    return undefined;
  },
  CreateFilter: (req) => {
    const c = collectorFor(req);
    const specNode = child(req.body, 'spec');
    if (!specNode) throw faults.invalidArgument('spec');
    const spec = parseFilterSpec(specNode);
    for (const os of spec.objectSet) req.engine.registry.get(os.obj);
    const filter = new PropertyFilter(new Mor('PropertyFilter', sessionId(req)), spec);
    c.filters.set(filter.ref.value, filter);
    req.engine.registry.add({
      ref: filter.ref,
      properties: () => ({ partialUpdates: childBool(req.body, 'partialUpdates') ?? false }),
    });
    return filter.ref;
  },
  DestroyPropertyFilter: (req) => {
    for (const c of allCollectors(req)) c.filters.delete(req.self.value);
    req.engine.registry.remove(req.self);
    return undefined;
  },
  WaitForUpdatesEx: (req) => {
    const maxWait = childNumber(child(req.body, 'options'), 'maxWaitSeconds');
    return collectUpdates(req, maxWait === undefined ? undefined : Math.min(maxWait, 300));
  },
  // The pre-4.1 forms, still what pyVmomi's WaitForTask uses: WaitForUpdates always answers an UpdateSet.
  WaitForUpdates: async (req) => {
    const version = childText(req.body, 'version') ?? '';
    const found = await collectUpdates(req, undefined);
    return found ?? data('UpdateSet', { version: version || '0', truncated: false });
  },
  CheckForUpdates: (req) => collectUpdates(req, 0),
  CancelWaitForUpdates: (req) => {
    req.engine.changes.emit('change');
    return undefined;
  },
  FindByInventoryPath: (req) => findByPath(req, childText(req.body, 'inventoryPath') ?? ''),
  FindChild: (req) => {
    const entity = containerEntity(req, toMor(child(req.body, 'entity')));
    return entity.children.find((c) => c.name === childText(req.body, 'name'))?.ref;
  },
  FindByUuid: (req) => {
    const uuid = (childText(req.body, 'uuid') ?? '').toLowerCase();
    const instance = childBool(req.body, 'instanceUuid') ?? false;
    return req.engine.vms.find((v) => (instance ? v.instanceUuid : v.uuid) === uuid)?.ref;
  },
};

function allCollectors(req: MethodRequest): CollectorObject[] {
  const out: CollectorObject[] = [];
  for (const o of req.engine.registry.all()) if (o instanceof CollectorObject) out.push(o);
  for (const c of req.engine.sessionCollectors.values()) if (c instanceof CollectorObject) out.push(c);
  return out;
}
