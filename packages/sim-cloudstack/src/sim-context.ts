import { invalidValue } from './api-error';
import { text } from './render';
import type {
  ApiObject,
  JobAction,
  JobUndo,
  SimJob,
  SimSnapshot,
  SimState,
  SimVm,
  SimVmSnapshot,
  SimVolume,
} from './sim-types';
import type { VolumeFiles } from './volume-files';

export interface JobRequest {
  instanceType: SimJob['instanceType'];
  instanceId: string;
  action: JobAction;
  undo: JobUndo;
}

/** What a command handler gets: the request, the state, and the means to start a job. */
export interface HandlerContext {
  command: string;
  params: Readonly<Record<string, string>>;
  state: SimState;
  files: VolumeFiles;
  now(): Date;
  newId(): string;
  submitJob(request: JobRequest): SimJob;
}

export type Handler = (ctx: HandlerContext) => ApiObject | Promise<ApiObject>;

/** An empty value counts as absent, as CloudStack's parameter processing does. */
export function str(ctx: HandlerContext, name: string): string | undefined {
  const value = ctx.params[name];
  return value === undefined || value === '' ? undefined : value;
}

/** Java Long.parseLong semantics; anything else is the standard invalid-value error. */
export function long(ctx: HandlerContext, name: string): number | undefined {
  const value = str(ctx, name);
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value)) throw invalidValue(ctx.command, name, value);
  return Number(value);
}

/** Boolean.parseBoolean: only "true" (any case) is true. */
export function bool(ctx: HandlerContext, name: string): boolean | undefined {
  const value = str(ctx, name);
  return value === undefined ? undefined : value.toLowerCase() === 'true';
}

export function csv(ctx: HandlerContext, name: string): string[] {
  return (str(ctx, name) ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0);
}

/** `name[0].key=v&name[1].key=w` -> [{key: v}, {key: w}] in index order. */
export function mapParam(ctx: HandlerContext, name: string): Record<string, string>[] {
  const entries = new Map<number, Record<string, string>>();
  const pattern = new RegExp(`^${name.replace(/[[\]]/g, '\\$&')}\\[(\\d+)\\]\\.(.+)$`);
  for (const [key, value] of Object.entries(ctx.params)) {
    const match = pattern.exec(key);
    if (!match) continue;
    const index = Number(match[1]);
    const entry = entries.get(index) ?? {};
    entry[match[2] ?? ''] = value;
    entries.set(index, entry);
  }
  return [...entries.entries()].sort((a, b) => a[0] - b[0]).map(([, entry]) => entry);
}

function lookup<T extends { id?: unknown }>(ctx: HandlerContext, name: string, list: T[]): T | undefined {
  const value = str(ctx, name);
  if (value === undefined) return undefined;
  const found = list.find((item) => item.id === value);
  if (!found) throw invalidValue(ctx.command, name, value);
  return found;
}

export function findVm(ctx: HandlerContext, name: string): SimVm | undefined {
  return lookup(ctx, name, ctx.state.vms);
}

export function findVolume(ctx: HandlerContext, name: string): SimVolume | undefined {
  return lookup(ctx, name, ctx.state.volumes);
}

export function findSnapshot(ctx: HandlerContext, name: string): SimSnapshot | undefined {
  return lookup(ctx, name, ctx.state.snapshots);
}

export function findVmSnapshot(ctx: HandlerContext, name: string): SimVmSnapshot | undefined {
  return lookup(ctx, name, ctx.state.vmSnapshots);
}

export function findCatalogue(ctx: HandlerContext, name: string, list: ApiObject[]): ApiObject | undefined {
  return lookup(ctx, name, list);
}

/** Like find*, for parameters the command table marks required (the dispatcher checked presence). */
export function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error('required parameter missing after validation');
  return value;
}

/** Records entities as they were before a job touched them, so a failed job can put them back. */
export class UndoRecorder {
  readonly undo: JobUndo & { vmSnapshots: NonNullable<JobUndo['vmSnapshots']> } = {
    vms: [],
    volumes: [],
    snapshots: [],
    vmSnapshots: [],
  };

  constructor(private readonly state: SimState) {}

  vm(id: string): this {
    const before = this.state.vms.find((v) => v.id === id);
    this.undo.vms.push({ id, before: before ? structuredClone(before) : null });
    return this;
  }

  volume(id: string): this {
    const before = this.state.volumes.find((v) => v.id === id);
    this.undo.volumes.push({ id, before: before ? structuredClone(before) : null });
    return this;
  }

  snapshot(id: string): this {
    const before = this.state.snapshots.find((s) => s.id === id);
    this.undo.snapshots.push({ id, before: before ? structuredClone(before) : null });
    return this;
  }

  vmSnapshot(id: string): this {
    const before = this.state.vmSnapshots.find((s) => s.id === id);
    this.undo.vmSnapshots.push({ id, before: before ? structuredClone(before) : null });
    return this;
  }
}

function restoreList<T extends { id: string }>(list: T[], entries: { id: string; before: T | null }[]): void {
  for (const { id, before } of [...entries].reverse()) {
    const index = list.findIndex((item) => item.id === id);
    if (before === null) {
      if (index >= 0) list.splice(index, 1);
    } else if (index >= 0) list[index] = structuredClone(before);
    else list.push(structuredClone(before));
  }
}

export function applyUndo(state: SimState, undo: JobUndo): void {
  restoreList(state.vms, undo.vms);
  restoreList(state.volumes, undo.volumes);
  restoreList(state.snapshots, undo.snapshots);
  restoreList(state.vmSnapshots, undo.vmSnapshots ?? []);
}

/** Filters by the usual list parameters and pages; an empty result is `{}` (no count, no list). */
export function listResponse(ctx: HandlerContext, key: string, items: ApiObject[]): ApiObject {
  const page = long(ctx, 'page');
  const pageSize = long(ctx, 'pagesize');
  let shown = items;
  if (pageSize !== undefined && pageSize > 0) {
    const start = ((page ?? 1) - 1) * pageSize;
    shown = items.slice(start, start + pageSize);
  }
  if (items.length === 0 || shown.length === 0) return {};
  return { count: items.length, [key]: shown };
}

/** id / ids / name / keyword filters shared by list commands. */
export function commonFilter<T>(ctx: HandlerContext, items: T[], fields: (item: T) => ApiObject): T[] {
  const id = str(ctx, 'id');
  const ids = csv(ctx, 'ids');
  const name = str(ctx, 'name');
  const keyword = str(ctx, 'keyword')?.toLowerCase();
  return items.filter((item) => {
    const f = fields(item);
    if (id !== undefined && f.id !== id) return false;
    if (ids.length > 0 && !ids.includes(String(f.id))) return false;
    if (name !== undefined && f.name !== name) return false;
    if (keyword !== undefined) {
      const haystack = `${text(f.name)} ${text(f.displaytext)} ${text(f.displayname)}`.toLowerCase();
      if (!haystack.includes(keyword)) return false;
    }
    return true;
  });
}
