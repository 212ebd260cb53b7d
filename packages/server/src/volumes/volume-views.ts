// Read-only operator views of the daemon's tables: one paged query each (plus its count), straight from the
// repositories. Operations are read from their own rows, so those whose volume row is gone still show.
import type {
  CloudstackVolumeRecord,
  DeviceMappingRecord,
  NbdExportRecord,
  Repositories,
  VolumeOperationRecord,
  VolumeOperationStatus,
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
  status?: VolumeOperationStatus;
}

export class VolumeViews {
  constructor(private readonly repositories: Repositories) {}

  async volumes(filter: VolumeFilter, paging: ViewPaging): Promise<ViewPage<CloudstackVolumeRecord>> {
    return this.repositories.cloudstackVolumes.list(filter, paging);
  }

  /** Newest first. */
  async operations(filter: OperationFilter, paging: ViewPaging): Promise<ViewPage<VolumeOperationRecord>> {
    return this.repositories.volumeOperations.list(filter, paging);
  }

  async deviceMappings(filter: VolumeFilter, paging: ViewPaging): Promise<ViewPage<DeviceMappingRecord>> {
    return this.repositories.deviceMappings.list(filter, paging);
  }

  async exports(
    filter: { contextId?: string; status?: string },
    paging: ViewPaging,
  ): Promise<ViewPage<NbdExportRecord>> {
    return this.repositories.nbdExports.listPage(filter, paging);
  }
}
