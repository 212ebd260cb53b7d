// Read-only operator views of the daemon's tables, paged. The repositories offer per-context / per-volume
// lookups only, so the unfiltered views walk contexts here. TODO(db): cloudstackVolumes.list(filter, paging),
// volumeOperations.list(filter, paging) and deviceMappings.list(paging) would make each view one query and let
// the operations view include operations whose volume row is gone.
import type {
  CloudstackVolumeRecord,
  DeviceMappingRecord,
  NbdExportRecord,
  Repositories,
  VolumeOperationRecord,
} from '@migratekit/db';

export interface ViewPaging {
  limit: number;
  offset: number;
}

export interface ViewPage<T> {
  items: T[];
  total: number;
}

export interface VolumeFilter {
  contextId?: string;
}

export interface OperationFilter {
  contextId?: string;
  volumeId?: string;
  status?: string;
}

const CONTEXT_PAGE = 1000;

function page<T>(items: T[], paging: ViewPaging): ViewPage<T> {
  return { items: items.slice(paging.offset, paging.offset + paging.limit), total: items.length };
}

function newestFirst<T extends { created_at: Date }>(items: T[]): T[] {
  return [...items].sort((a, b) => b.created_at.getTime() - a.created_at.getTime());
}

export class VolumeViews {
  constructor(private readonly repositories: Repositories) {}

  private async contextIds(filter: { contextId?: string }): Promise<string[]> {
    if (filter.contextId !== undefined) return [filter.contextId];
    const ids: string[] = [];
    for (let offset = 0; ; offset += CONTEXT_PAGE) {
      const chunk = await this.repositories.contexts.list({}, { limit: CONTEXT_PAGE, offset });
      ids.push(...chunk.items.map((c) => c.context_id));
      if (chunk.items.length < CONTEXT_PAGE || ids.length >= chunk.total) return ids;
    }
  }

  private async allVolumes(filter: VolumeFilter): Promise<CloudstackVolumeRecord[]> {
    const rows: CloudstackVolumeRecord[] = [];
    for (const contextId of await this.contextIds(filter))
      rows.push(...(await this.repositories.cloudstackVolumes.listByContext(contextId)));
    return rows;
  }

  async volumes(filter: VolumeFilter, paging: ViewPaging): Promise<ViewPage<CloudstackVolumeRecord>> {
    return page(await this.allVolumes(filter), paging);
  }

  async operations(filter: OperationFilter, paging: ViewPaging): Promise<ViewPage<VolumeOperationRecord>> {
    const byId = new Map<string, VolumeOperationRecord>();
    const volumeIds =
      filter.volumeId !== undefined
        ? [filter.volumeId]
        : (await this.allVolumes(filter.contextId === undefined ? {} : { contextId: filter.contextId })).map(
            (v) => v.volume_id,
          );
    for (const volumeId of volumeIds)
      for (const op of await this.repositories.volumeOperations.listByVolume(volumeId)) byId.set(op.id, op);
    if (filter.volumeId === undefined)
      for (const op of await this.repositories.volumeOperations.listUnfinished())
        if (filter.contextId === undefined || op.vm_context_id === filter.contextId) byId.set(op.id, op);
    const items = newestFirst([...byId.values()]).filter(
      (op) => filter.status === undefined || op.status === filter.status,
    );
    return page(items, paging);
  }

  async deviceMappings(filter: VolumeFilter, paging: ViewPaging): Promise<ViewPage<DeviceMappingRecord>> {
    const rows: DeviceMappingRecord[] = [];
    for (const contextId of await this.contextIds(filter))
      rows.push(...(await this.repositories.deviceMappings.listByContext(contextId)));
    return page(rows, paging);
  }

  async exports(
    filter: { contextId?: string; status?: string },
    paging: ViewPaging,
  ): Promise<ViewPage<NbdExportRecord>> {
    return page(await this.repositories.nbdExports.list(filter), paging);
  }
}
