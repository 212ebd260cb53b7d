// Machine groups and their members (docs/scheduler.md#api): a group has a schedule, a priority and a limit of
// concurrent VMs; each member has its own priority, an enabled flag and an optional schedule override.
import { Type, type Static } from '@sinclair/typebox';
import type { RoutePlugin } from '../app-context';
import { principalOf } from '../http/auth-hook';
import { IdParams } from '../http/schemas';
import {
  GroupCreate,
  GroupMember,
  GroupUpdate,
  MachineGroup,
  MemberCreate,
  MemberUpdate,
} from '../scheduler/scheduler.schemas';

const MemberParams = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 200 }),
    contextId: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false },
);

export const machineGroupRoutes: RoutePlugin = (app, { services }) => {
  const tags = ['machine-groups'];
  const config = services.scheduleConfig;

  app.get(
    '/api/v1/machine-groups',
    {
      schema: {
        operationId: 'listMachineGroups',
        tags,
        summary: 'List machine groups by priority',
        response: { 200: Type.Array(MachineGroup) },
      },
    },
    async () => config.listGroups(),
  );

  app.post<{ Body: Static<typeof GroupCreate> }>(
    '/api/v1/machine-groups',
    {
      schema: {
        operationId: 'createMachineGroup',
        tags,
        summary: 'Create a machine group',
        body: GroupCreate,
        response: { 201: MachineGroup },
      },
    },
    async (request, reply) => reply.code(201).send(await config.createGroup(request.body, principalOf(request))),
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/machine-groups/:id',
    {
      schema: {
        operationId: 'getMachineGroup',
        tags,
        summary: 'One machine group',
        params: IdParams,
        response: { 200: MachineGroup },
      },
    },
    async (request) => config.getGroup(request.params.id),
  );

  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof GroupUpdate> }>(
    '/api/v1/machine-groups/:id',
    {
      schema: {
        operationId: 'updateMachineGroup',
        tags,
        summary: 'Change a machine group (schedule, priority, concurrency)',
        params: IdParams,
        body: GroupUpdate,
        response: { 200: MachineGroup },
      },
    },
    async (request) => config.updateGroup(request.params.id, request.body, principalOf(request)),
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/api/v1/machine-groups/:id',
    {
      schema: {
        operationId: 'deleteMachineGroup',
        tags,
        summary: 'Delete a machine group and its memberships',
        params: IdParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await config.deleteGroup(request.params.id, principalOf(request));
      return reply.code(204).send();
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/machine-groups/:id/vms',
    {
      schema: {
        operationId: 'listMachineGroupMembers',
        tags,
        summary: 'Members of a group in priority order',
        params: IdParams,
        response: { 200: Type.Array(GroupMember) },
      },
    },
    async (request) => config.listMembers(request.params.id),
  );

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof MemberCreate> }>(
    '/api/v1/machine-groups/:id/vms',
    {
      schema: {
        operationId: 'addMachineGroupMember',
        tags,
        summary: 'Add a VM to the group',
        params: IdParams,
        body: MemberCreate,
        response: { 201: GroupMember },
      },
    },
    async (request, reply) =>
      reply.code(201).send(await config.addMember(request.params.id, request.body, principalOf(request))),
  );

  app.patch<{ Params: Static<typeof MemberParams>; Body: Static<typeof MemberUpdate> }>(
    '/api/v1/machine-groups/:id/vms/:contextId',
    {
      schema: {
        operationId: 'updateMachineGroupMember',
        tags,
        summary: "Change a member's priority, enabled flag or schedule override",
        params: MemberParams,
        body: MemberUpdate,
        response: { 200: GroupMember },
      },
    },
    async (request) =>
      config.updateMember(request.params.id, request.params.contextId, request.body, principalOf(request)),
  );

  app.delete<{ Params: Static<typeof MemberParams> }>(
    '/api/v1/machine-groups/:id/vms/:contextId',
    {
      schema: {
        operationId: 'removeMachineGroupMember',
        tags,
        summary: 'Remove a VM from the group',
        params: MemberParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await config.removeMember(request.params.id, request.params.contextId, principalOf(request));
      return reply.code(204).send();
    },
  );
};
