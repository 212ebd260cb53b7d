// Read-only operator views of the volume daemon: CloudStack volumes, their operations, device mappings and NBD
// exports. Changes go through the daemon only (replication and failover), never through these routes.
import { volumeOperationStatuses } from '@migratekit/core';
import { Type, type Static, type TSchema } from '@sinclair/typebox';
import type {
  CloudstackVolumeRecord,
  DeviceMappingRecord,
  NbdExportRecord,
  VolumeOperationRecord,
} from '@migratekit/db';
import type { RoutePlugin } from '../app-context';
import { Nullable, NullableTimestamp, Page, PagingQuery, StatusEnum, Timestamp, iso } from '../http/schemas';

const Id = Type.String({ minLength: 1, maxLength: 200 });
const NullableString = Nullable(Type.String());
const NullableInteger = Nullable(Type.Integer());
const JsonObject = Nullable(Type.Record(Type.String(), Type.Unknown()));

const VolumeView = Type.Object({
  volume_id: Type.String({ description: 'CloudStack volume uuid' }),
  context_id: Type.String(),
  name: Type.String(),
  disk_id: NullableString,
  size_bytes: Type.Integer(),
  device_id: NullableInteger,
  attached_vm_id: NullableString,
  mode: Type.Union([Type.Literal('oma'), Type.Literal('failover')], {
    description: 'oma: attached to the server for replication; failover: belongs to a failed-over VM',
  }),
  snapshot_id: NullableString,
  snapshot_status: NullableString,
  created_at: Timestamp,
  updated_at: Timestamp,
});

const OperationView = Type.Object({
  id: Type.String(),
  context_id: NullableString,
  type: Type.String({ description: 'create, attach, detach, delete, snapshot or revert' }),
  status: StatusEnum(volumeOperationStatuses),
  volume_id: NullableString,
  vm_id: NullableString,
  request: JsonObject,
  response: JsonObject,
  error: NullableString,
  created_at: Timestamp,
  completed_at: NullableTimestamp,
});

const DeviceMappingView = Type.Object({
  volume_id: Type.String(),
  context_id: NullableString,
  vm_id: NullableString,
  linux_device_path: NullableString,
  persistent_device_name: NullableString,
  symlink_path: NullableString,
  size: NullableInteger,
  cloudstack_state: NullableString,
  linux_state: NullableString,
  last_sync: NullableTimestamp,
  updated_at: Timestamp,
});

const ExportView = Type.Object({
  export_name: Type.String({ description: 'vol-<volume uuid>' }),
  volume_id: Type.String(),
  context_id: NullableString,
  device_path: Type.String(),
  status: Type.String(),
  created_at: Timestamp,
  updated_at: Timestamp,
});

function query<P extends Record<string, TSchema>>(properties: P) {
  return Type.Object({ ...properties, ...PagingQuery }, { additionalProperties: false });
}

const VolumesQuery = query({ context_id: Type.Optional(Id) });
const OperationsQuery = query({
  context_id: Type.Optional(Id),
  volume_id: Type.Optional(Id),
  status: Type.Optional(StatusEnum(volumeOperationStatuses)),
});
const ExportsQuery = query({ context_id: Type.Optional(Id), status: Type.Optional(Id) });

const volumeView = (r: CloudstackVolumeRecord): Static<typeof VolumeView> => ({
  volume_id: r.volume_id,
  context_id: r.vm_context_id,
  name: r.name,
  disk_id: r.disk_id,
  size_bytes: Number(r.size_bytes),
  device_id: r.device_id,
  attached_vm_id: r.attached_vm_id,
  mode: r.mode,
  snapshot_id: r.snapshot_id,
  snapshot_status: r.snapshot_status,
  created_at: iso(r.created_at),
  updated_at: iso(r.updated_at),
});

const operationView = (r: VolumeOperationRecord): Static<typeof OperationView> => ({
  id: r.id,
  context_id: r.vm_context_id,
  type: r.type,
  status: r.status,
  volume_id: r.volume_id,
  vm_id: r.vm_id,
  request: r.request,
  response: r.response,
  error: r.error,
  created_at: iso(r.created_at),
  completed_at: iso(r.completed_at),
});

const mappingView = (r: DeviceMappingRecord): Static<typeof DeviceMappingView> => ({
  volume_id: r.volume_id,
  context_id: r.vm_context_id,
  vm_id: r.vm_id,
  linux_device_path: r.linux_device_path,
  persistent_device_name: r.persistent_device_name,
  symlink_path: r.symlink_path,
  size: r.size === null ? null : Number(r.size),
  cloudstack_state: r.cloudstack_state,
  linux_state: r.linux_state,
  last_sync: iso(r.last_sync),
  updated_at: iso(r.updated_at),
});

const exportView = (r: NbdExportRecord): Static<typeof ExportView> => ({
  export_name: r.export_name,
  volume_id: r.volume_id,
  context_id: r.vm_context_id,
  device_path: r.device_path,
  status: r.status,
  created_at: iso(r.created_at),
  updated_at: iso(r.updated_at),
});

function paging(q: { limit?: number; offset?: number }): { limit: number; offset: number } {
  return { limit: q.limit ?? 50, offset: q.offset ?? 0 };
}

export const volumeRoutes: RoutePlugin = (app, { services }) => {
  const views = services.volumeViews;
  const tags = ['volumes'];

  app.get<{ Querystring: Static<typeof VolumesQuery> }>(
    '/api/v1/volumes',
    {
      schema: {
        tags,
        summary: 'CloudStack volumes managed by the volume daemon',
        querystring: VolumesQuery,
        response: { 200: Page(VolumeView) },
      },
    },
    async (request) => {
      const p = paging(request.query);
      const { context_id } = request.query;
      const result = await views.volumes(context_id === undefined ? {} : { contextId: context_id }, p);
      return { items: result.items.map(volumeView), total: result.total, ...p };
    },
  );

  app.get<{ Querystring: Static<typeof OperationsQuery> }>(
    '/api/v1/volumes/operations',
    {
      schema: {
        tags,
        summary: 'Volume operations (create/attach/detach/delete/snapshot/revert), newest first',
        querystring: OperationsQuery,
        response: { 200: Page(OperationView) },
      },
    },
    async (request) => {
      const p = paging(request.query);
      const { context_id, volume_id, status } = request.query;
      const result = await views.operations(
        {
          ...(context_id === undefined ? {} : { contextId: context_id }),
          ...(volume_id === undefined ? {} : { volumeId: volume_id }),
          ...(status === undefined ? {} : { status }),
        },
        p,
      );
      return { items: result.items.map(operationView), total: result.total, ...p };
    },
  );

  app.get<{ Querystring: Static<typeof VolumesQuery> }>(
    '/api/v1/volumes/device-mappings',
    {
      schema: {
        tags,
        summary: 'Linux devices of volumes attached to the server, by persistent (by-id) name',
        querystring: VolumesQuery,
        response: { 200: Page(DeviceMappingView) },
      },
    },
    async (request) => {
      const p = paging(request.query);
      const { context_id } = request.query;
      const result = await views.deviceMappings(context_id === undefined ? {} : { contextId: context_id }, p);
      return { items: result.items.map(mappingView), total: result.total, ...p };
    },
  );

  app.get<{ Querystring: Static<typeof ExportsQuery> }>(
    '/api/v1/nbd/exports',
    {
      schema: {
        tags: ['nbd'],
        summary: 'NBD exports of the server (one per volume attached to it)',
        querystring: ExportsQuery,
        response: { 200: Page(ExportView) },
      },
    },
    async (request) => {
      const p = paging(request.query);
      const { context_id, status } = request.query;
      const result = await views.exports(
        { ...(context_id === undefined ? {} : { contextId: context_id }), ...(status === undefined ? {} : { status }) },
        p,
      );
      return { items: result.items.map(exportView), total: result.total, ...p };
    },
  );
};
