import type { InventorySpec } from './inventory-spec';

// A readable error for a hand-written inventory file, before building anything from it.

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function validateInventory(value: unknown): InventorySpec {
  const problems: string[] = [];
  const need = (cond: boolean, what: string): void => {
    if (!cond) problems.push(what);
  };
  const str = (o: Record<string, unknown>, k: string, where: string): void =>
    need(typeof o[k] === 'string' && o[k] !== '', `${where}.${k} must be a non-empty string`);
  /** The objects of array `k` with their paths; reports a missing array or non-object items. */
  const items = (
    o: Record<string, unknown>,
    k: string,
    where: string,
    optional = false,
  ): Array<[Record<string, unknown>, string]> => {
    const v = o[k];
    if (v === undefined && optional) return [];
    if (!Array.isArray(v)) {
      problems.push(`${where}.${k} must be an array`);
      return [];
    }
    const out: Array<[Record<string, unknown>, string]> = [];
    v.forEach((item: unknown, i) => {
      if (isObject(item)) out.push([item, `${where}.${k}[${i}]`]);
      else problems.push(`${where}.${k}[${i}] must be an object`);
    });
    return out;
  };
  if (!isObject(value)) throw new Error('inventory: expected an object with "datacenters"');
  for (const [dc, w] of items(value, 'datacenters', 'inventory')) {
    str(dc, 'name', w);
    for (const [d, dw] of items(dc, 'datastores', w)) str(d, 'name', dw);
    for (const [c, cw] of items(dc, 'clusters', w, true)) {
      str(c, 'name', cw);
      for (const [h, hw] of items(c, 'hosts', cw)) str(h, 'name', hw);
    }
    for (const [h, hw] of items(dc, 'hosts', w, true)) str(h, 'name', hw);
    for (const [vm, v] of items(dc, 'vms', w)) {
      for (const k of ['name', 'host', 'guestId', 'guestFullName']) str(vm, k, v);
      need(vm.guest === 'linux' || vm.guest === 'windows', `${v}.guest must be "linux" or "windows"`);
      for (const [d, dw] of items(vm, 'disks', v)) {
        str(d, 'datastore', dw);
        if (d.image !== undefined) str(d, 'image', dw);
      }
      for (const [n, nw] of items(vm, 'nics', v)) str(n, 'network', nw);
    }
  }
  if (problems.length > 0) throw new Error(`inventory: ${problems.join('; ')}`);
  return value as unknown as InventorySpec;
}
