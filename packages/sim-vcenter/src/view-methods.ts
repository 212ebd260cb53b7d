import { randomUUID } from 'node:crypto';
import { isA } from './managed-object';
import type { ManagedObject, SimEntity } from './managed-object';
import type { MethodRequest } from './collector-methods';
import type { VCenterEngine } from './vcenter-engine';
import { faults } from './vim-fault';
import { Mor } from './vim-value';
import type { VimValue } from './vim-value';
import { child, childBool, children, toMor } from './xml-node';
import type { XNode } from './xml-node';

// ViewManager: container views (an inventory subtree) and list views (a client-chosen set of objects,
// which `govc tasks` and `govc events` watch). Views are session-scoped and die with the session.

class ContainerViewObject implements ManagedObject {
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

class ListViewObject implements ManagedObject {
  readonly members = new Map<string, Mor>();
  constructor(readonly ref: Mor) {}
  properties(): Record<string, VimValue | undefined> {
    return { view: [...this.members.values()] };
  }
}

function sessionId(req: MethodRequest): string {
  return `session[${req.ctx.sessionKey ?? 'anonymous'}]${randomUUID()}`;
}

export function containerEntity(req: MethodRequest, ref: Mor | undefined): SimEntity {
  if (!ref) throw faults.invalidArgument('container');
  const obj = req.engine.registry.get(ref);
  if (!('children' in obj)) throw faults.invalidArgument('container');
  return obj as SimEntity;
}

function listView(req: MethodRequest): ListViewObject {
  const obj = req.engine.registry.get(req.self);
  if (!(obj instanceof ListViewObject)) throw faults.notFound(req.self);
  return obj;
}

/** Adds the objects that exist; returns the ones that do not (vim25's "unresolved" list). */
function addMembers(req: MethodRequest, view: ListViewObject, nodes: XNode[]): Mor[] {
  const unresolved: Mor[] = [];
  for (const n of nodes) {
    const ref = toMor(n);
    if (!ref) continue;
    const obj = req.engine.registry.find(ref);
    if (obj) view.members.set(obj.ref.value, obj.ref);
    else unresolved.push(ref);
  }
  req.engine.notify();
  return unresolved;
}

export const viewMethods: Record<string, (req: MethodRequest) => VimValue | undefined> = {
  CreateContainerView: (req) => {
    const container = containerEntity(req, toMor(child(req.body, 'container')));
    const types = children(req.body, 'type').map((t) => t.text.trim());
    const view = new ContainerViewObject(
      new Mor('ContainerView', sessionId(req)),
      req.engine,
      container,
      types,
      childBool(req.body, 'recursive') ?? false,
    );
    return req.engine.registry.add(view).ref;
  },
  CreateListView: (req) => {
    const view = req.engine.registry.add(new ListViewObject(new Mor('ListView', sessionId(req))));
    addMembers(req, view, children(req.body, 'obj'));
    return view.ref;
  },
  ModifyListView: (req) => {
    const view = listView(req);
    for (const n of children(req.body, 'remove')) {
      const ref = toMor(n);
      if (ref) view.members.delete(ref.value);
    }
    return addMembers(req, view, children(req.body, 'add'));
  },
  ResetListView: (req) => {
    const view = listView(req);
    view.members.clear();
    return addMembers(req, view, children(req.body, 'obj'));
  },
  ResetListViewFromView: (req) => {
    const view = listView(req);
    const source = toMor(child(req.body, 'view'));
    if (!source) throw faults.invalidArgument('view');
    const members = req.engine.registry.get(source).properties(req.ctx).view;
    view.members.clear();
    if (Array.isArray(members)) for (const m of members) if (m instanceof Mor) view.members.set(m.value, m);
    req.engine.notify();
    return undefined;
  },
  DestroyView: (req) => {
    req.engine.registry.remove(req.self);
    req.engine.notify();
    return undefined;
  },
};
