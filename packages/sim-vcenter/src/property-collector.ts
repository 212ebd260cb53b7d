import type { CallContext, ManagedObject, ObjectRegistry } from './managed-object';
import { isA } from './managed-object';
import { AnyType, data, EmptyArray, encodeElement, Mor } from './vim-value';
import type { DataObject, VimValue } from './vim-value';
import { child, childBool, childText, children, toMor, xsiType } from './xml-node';
import type { XNode } from './xml-node';
import { faults } from './vim-fault';

// PropertyCollector semantics: ObjectSpec + TraversalSpec walks, PropertySpec selection by type (with
// inheritance), property paths ("summary.runtime.powerState"), and update diffs for WaitForUpdatesEx.

interface PropertySpec {
  type: string;
  all: boolean;
  pathSet: string[];
}

interface SelectionSpec {
  name?: string;
  traversal?: { type: string; path: string; skip: boolean };
  selectSet: SelectionSpec[];
}

interface ObjectSpec {
  obj: Mor;
  skip: boolean;
  selectSet: SelectionSpec[];
}

export interface FilterSpec {
  propSet: PropertySpec[];
  objectSet: ObjectSpec[];
}

export interface CollectedObject {
  obj: Mor;
  props: Array<{ name: string; val: VimValue }>;
}

function parseSelection(node: XNode): SelectionSpec {
  const isTraversal = xsiType(node) === 'TraversalSpec' || child(node, 'path') !== undefined;
  return {
    name: childText(node, 'name') || undefined,
    traversal: isTraversal
      ? {
          type: childText(node, 'type') ?? '',
          path: childText(node, 'path') ?? '',
          skip: childBool(node, 'skip') ?? false,
        }
      : undefined,
    selectSet: children(node, 'selectSet').map(parseSelection),
  };
}

export function parseFilterSpec(node: XNode): FilterSpec {
  return {
    propSet: children(node, 'propSet').map((p) => ({
      type: childText(p, 'type') ?? '',
      all: childBool(p, 'all') ?? false,
      pathSet: children(p, 'pathSet').map((x) => x.text.trim()),
    })),
    objectSet: children(node, 'objectSet').map((o) => {
      const obj = toMor(child(o, 'obj'));
      if (!obj) throw faults.invalidArgument('objectSet.obj');
      return { obj, skip: childBool(o, 'skip') ?? false, selectSet: children(o, 'selectSet').map(parseSelection) };
    }),
  };
}

/** Follows a dotted path through data objects. */
export function propertyAt(props: Record<string, VimValue | undefined>, path: string): VimValue | undefined {
  const parts = path.split('.');
  let cur: VimValue | undefined = props[parts[0] ?? ''];
  for (const part of parts.slice(1)) {
    if (cur === undefined || typeof cur !== 'object' || Array.isArray(cur) || !('_type' in cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

function refsIn(v: VimValue | undefined): Mor[] {
  if (v === undefined) return [];
  if (Array.isArray(v)) return v.flatMap(refsIn);
  if (v instanceof Mor) return [v];
  return [];
}

function namedSpecs(specs: SelectionSpec[], into: Map<string, SelectionSpec>): void {
  for (const s of specs) {
    if (s.traversal && s.name && !into.has(s.name)) into.set(s.name, s);
    namedSpecs(s.selectSet, into);
  }
}

// Item types of the array properties that may be empty. vCenter still answers a requested empty array
// (`<val xsi:type="ArrayOfManagedObjectReference"/>`), so SDKs see [] rather than an unset property.
const EMPTY_ARRAY_ITEM: Record<string, string> = {
  childEntity: 'ManagedObjectReference',
  recentTask: 'ManagedObjectReference',
  rootSnapshot: 'ManagedObjectReference',
  datastore: 'ManagedObjectReference',
  network: 'ManagedObjectReference',
  vm: 'ManagedObjectReference',
  host: 'ManagedObjectReference',
  'Datastore.host': 'DatastoreHostMount',
  portgroup: 'ManagedObjectReference',
  filter: 'ManagedObjectReference',
  viewList: 'ManagedObjectReference',
  view: 'ManagedObjectReference',
  field: 'CustomFieldDef',
  latestPage: 'Event',
  childSnapshot: 'ManagedObjectReference',
};

function emptyArrayOf(type: string, name: string): EmptyArray | undefined {
  const item = EMPTY_ARRAY_ITEM[`${type}.${name}`] ?? EMPTY_ARRAY_ITEM[name];
  return item ? new EmptyArray(item) : undefined;
}

function isEmptyValue(v: VimValue | undefined): boolean {
  return v === undefined || (Array.isArray(v) && v.length === 0);
}

/** Runs one filter spec; the objects come in traversal order, each once. */
export function collect(registry: ObjectRegistry, spec: FilterSpec, ctx: CallContext): CollectedObject[] {
  const found = new Map<string, ManagedObject>();
  const named = new Map<string, SelectionSpec>();
  for (const os of spec.objectSet) namedSpecs(os.selectSet, named);
  const seen = new Set<string>();
  const propsCache = new Map<string, Record<string, VimValue | undefined>>();
  const propsOf = (o: ManagedObject): Record<string, VimValue | undefined> => {
    let p = propsCache.get(o.ref.value);
    if (!p) {
      p = o.properties(ctx);
      propsCache.set(o.ref.value, p);
    }
    return p;
  };

  const visit = (obj: ManagedObject, skip: boolean, selectSet: SelectionSpec[]): void => {
    if (!skip && !found.has(obj.ref.value)) found.set(obj.ref.value, obj);
    for (const sel of selectSet) {
      const spec = sel.traversal ? sel : sel.name ? named.get(sel.name) : undefined;
      if (!spec?.traversal || !isA(obj.ref.type, spec.traversal.type)) continue;
      for (const ref of refsIn(propertyAt(propsOf(obj), spec.traversal.path))) {
        const target = registry.find(ref);
        if (!target) continue;
        const key = `${target.ref.value}|${spec.name ?? spec.traversal.type + spec.traversal.path}`;
        if (seen.has(key)) continue;
        seen.add(key);
        visit(target, spec.traversal.skip, spec.selectSet);
      }
    }
  };

  for (const os of spec.objectSet) visit(registry.get(os.obj), os.skip, os.selectSet);

  const out: CollectedObject[] = [];
  for (const obj of found.values()) {
    const specs = spec.propSet.filter((p) => isA(obj.ref.type, p.type));
    if (specs.length === 0) continue;
    const props = propsOf(obj);
    const names = new Set<string>();
    for (const p of specs) {
      if (p.all) for (const k of Object.keys(props)) names.add(k);
      for (const path of p.pathSet) names.add(path);
    }
    const values: CollectedObject['props'] = [];
    for (const name of names) {
      const val = name in props ? props[name] : propertyAt(props, name);
      const empty = Array.isArray(val) && val.length === 0 ? emptyArrayOf(obj.ref.type, name) : undefined;
      if (empty) values.push({ name, val: empty });
      else if (!isEmptyValue(val)) values.push({ name, val: val as VimValue });
    }
    out.push({ obj: obj.ref, props: values });
  }
  return out;
}

export function objectContent(o: CollectedObject): DataObject {
  return data('ObjectContent', {
    obj: o.obj,
    propSet: o.props.map((p) => data('DynamicProperty', { name: p.name, val: new AnyType(p.val) })),
  });
}

/** A filter created with CreateFilter: remembers what each client saw to send only changes. */
export class PropertyFilter {
  private sent = new Map<string, { ref: Mor; props: Map<string, string> }>();

  constructor(
    readonly ref: Mor,
    readonly spec: FilterSpec,
  ) {}

  reset(): void {
    this.sent = new Map();
  }

  /** The ObjectUpdate list since the last call, or [] when nothing changed. */
  updates(registry: ObjectRegistry, ctx: CallContext): DataObject[] {
    let current: CollectedObject[];
    try {
      current = collect(registry, this.spec, ctx);
    } catch {
      current = []; // objects gone (a deleted task): report them as leaving
    }
    const out: DataObject[] = [];
    const now = new Map<string, { ref: Mor; props: Map<string, string> }>();
    for (const o of current) {
      const before = this.sent.get(o.obj.value)?.props;
      const after = new Map<string, string>();
      const changes: DataObject[] = [];
      for (const p of o.props) {
        const xml = encodeElement('val', new AnyType(p.val));
        after.set(p.name, xml);
        if (before?.get(p.name) !== xml)
          changes.push(data('PropertyChange', { name: p.name, op: 'assign', val: new AnyType(p.val) }));
      }
      if (before) {
        for (const name of before.keys())
          if (!after.has(name)) changes.push(data('PropertyChange', { name, op: 'remove' }));
      }
      now.set(o.obj.value, { ref: o.obj, props: after });
      if (!before || changes.length > 0) {
        out.push(data('ObjectUpdate', { kind: before ? 'modify' : 'enter', obj: o.obj, changeSet: changes }));
      }
    }
    for (const [id, { ref }] of this.sent) {
      if (!now.has(id)) out.push(data('ObjectUpdate', { kind: 'leave', obj: ref }));
    }
    this.sent = now;
    return out;
  }
}
