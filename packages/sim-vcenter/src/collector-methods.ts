import { randomUUID } from 'node:crypto';
import { isA } from './managed-object';
import type { CallContext, ManagedObject, SimEntity } from './managed-object';
import { collect, objectContent, parseFilterSpec, PropertyFilter } from './property-collector';
import type { CollectedObject } from './property-collector';
import type { VCenterEngine } from './vcenter-engine';
import { faults } from './vim-fault';
import { data, Mor } from './vim-value';
import type { DataObject, VimValue } from './vim-value';
import { child, childBool, childNumber, childText, children, toMor } from './xml-node';
import type { XNode } from './xml-node';

// PropertyCollector, ViewManager and SearchIndex methods. Session-scoped objects (extra collectors,
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

class ViewObject implements ManagedObject {
  constructor(
    readonly ref: Mor,
    private readonly engine: VCenterEngine,
    readonly container: SimEntity,
    readonly types: string[],
    readonly recursive: boolean,
  ) {}
  properties(): Record<string, VimValue | undefined> {
    const out = new Map<string, Mor>();
    // Like vCenter, a view of a cluster or resource pool also holds the VMs of its pools.
    const childrenOf = (e: SimEntity): SimEntity[] =>
      e.ref.type === 'ResourcePool'
        ? [...e.children, ...this.engine.vms.filter((v) => v.resourcePool === e)]
        : e.children;
    const walk = (e: SimEntity): void => {
      for (const c of childrenOf(e)) {
        if (out.has(c.ref.value)) continue;
        if (this.types.length === 0 || this.types.some((t) => isA(c.ref.type, t))) out.set(c.ref.value, c.ref);
        if (this.recursive) walk(c);
      }
    };
    walk(this.container);
    return { view: [...out.values()], container: this.container.ref, type: this.types, recursive: this.recursive };
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

async function waitForUpdates(req: MethodRequest): Promise<VimValue | undefined> {
  const collector = collectorFor(req);
  const version = childText(req.body, 'version') ?? '';
  const options = child(req.body, 'options');
  const maxWait = childNumber(options, 'maxWaitSeconds');
  if (version === '') for (const f of collector.filters.values()) f.reset();
  const deadline = Date.now() + Math.min(maxWait ?? 300, 300) * 1000;
  for (;;) {
    const filterSet: DataObject[] = [];
    for (const f of collector.filters.values()) {
      const objectSet = f.updates(req.engine.registry, req.ctx);
      if (objectSet.length > 0) filterSet.push(data('PropertyFilterUpdate', { filter: f.ref, objectSet }));
    }
    if (filterSet.length > 0) {
      return data('UpdateSet', {
        version: String(Number(version.replace(/\D/g, '') || '0') + 1),
        filterSet,
        truncated: false,
      });
    }
    const left = deadline - Date.now();
    if (maxWait === 0 || left <= 0 || req.engine.isClosed) return undefined;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, left);
      function done(): void {
        clearTimeout(timer);
        req.engine.changes.off('change', done);
        resolve();
      }
      req.engine.changes.on('change', done);
    });
  }
}

function containerEntity(req: MethodRequest, ref: Mor | undefined): SimEntity {
  if (!ref) throw faults.invalidArgument('container');
  const obj = req.engine.registry.get(ref);
  if (!('children' in obj)) throw faults.invalidArgument('container');
  return obj as SimEntity;
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
  WaitForUpdatesEx: (req) => waitForUpdates(req),
  CancelWaitForUpdates: (req) => {
    req.engine.changes.emit('change');
    return undefined;
  },
  CreateContainerView: (req) => {
    const container = containerEntity(req, toMor(child(req.body, 'container')));
    const types = children(req.body, 'type').map((t) => t.text.trim());
    const view = new ViewObject(
      new Mor('ContainerView', sessionId(req)),
      req.engine,
      container,
      types,
      childBool(req.body, 'recursive') ?? false,
    );
    return req.engine.registry.add(view).ref;
  },
  DestroyView: (req) => {
    req.engine.registry.remove(req.self);
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
