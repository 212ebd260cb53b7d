// Schedules (docs/scheduler.md#api): CRUD, "run now" (one manual tick, recorded like a cron tick) and the
// execution history with each VM's outcome and skip reason.
import { Type, type Static } from '@sinclair/typebox';
import type { RoutePlugin } from '../app-context';
import { principalOf } from '../http/auth-hook';
import { IdParams, Page, PagingQuery } from '../http/schemas';
import { Schedule, ScheduleCreate, ScheduleExecution, ScheduleUpdate } from '../scheduler/scheduler.schemas';

const ExecutionQuery = Type.Object(
  {
    schedule_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    group_id: Type.Optional(Type.String({ minLength: 1, maxLength: 128 })),
    ...PagingQuery,
  },
  { additionalProperties: false },
);

export const scheduleRoutes: RoutePlugin = (app, { services }) => {
  const tags = ['schedules'];
  const config = services.scheduleConfig;

  app.get(
    '/api/v1/schedules',
    {
      schema: {
        operationId: 'listSchedules',
        tags,
        summary: 'List schedules',
        response: { 200: Type.Array(Schedule) },
      },
    },
    async () => config.listSchedules(),
  );

  app.post<{ Body: Static<typeof ScheduleCreate> }>(
    '/api/v1/schedules',
    {
      schema: {
        operationId: 'createSchedule',
        tags,
        summary: 'Create a schedule',
        body: ScheduleCreate,
        response: { 201: Schedule },
      },
    },
    async (request, reply) => reply.code(201).send(await config.createSchedule(request.body, principalOf(request))),
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/schedules/:id',
    {
      schema: {
        operationId: 'getSchedule',
        tags,
        summary: 'One schedule',
        params: IdParams,
        response: { 200: Schedule },
      },
    },
    async (request) => config.getSchedule(request.params.id),
  );

  app.patch<{ Params: Static<typeof IdParams>; Body: Static<typeof ScheduleUpdate> }>(
    '/api/v1/schedules/:id',
    {
      schema: {
        operationId: 'updateSchedule',
        tags,
        summary: 'Change a schedule (enable/disable, cron, limits, retries, catch-up, target RPO)',
        params: IdParams,
        body: ScheduleUpdate,
        response: { 200: Schedule },
      },
    },
    async (request) => config.updateSchedule(request.params.id, request.body, principalOf(request)),
  );

  app.delete<{ Params: Static<typeof IdParams> }>(
    '/api/v1/schedules/:id',
    {
      schema: {
        operationId: 'deleteSchedule',
        tags,
        summary: 'Delete a schedule (its groups stay, without a schedule)',
        params: IdParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await config.deleteSchedule(request.params.id, principalOf(request));
      return reply.code(204).send();
    },
  );

  app.post<{ Params: Static<typeof IdParams> }>(
    '/api/v1/schedules/:id/run-now',
    {
      schema: {
        operationId: 'runScheduleNow',
        tags,
        summary: 'Run the schedule once now (a manual tick, recorded as an execution)',
        params: IdParams,
        response: { 201: ScheduleExecution },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const execution = await services.scheduler.runNow(request.params.id, principal.username);
      await services.audit.record({
        actor: principal,
        action: 'schedule.run_now',
        targetType: 'schedule',
        targetId: request.params.id,
        details: { execution_id: execution.id, jobs_created: execution.jobs_created },
        requestId: request.id,
      });
      return reply.code(201).send(execution);
    },
  );

  app.get<{ Params: Static<typeof IdParams>; Querystring: Static<typeof ExecutionQuery> }>(
    '/api/v1/schedules/:id/executions',
    {
      schema: {
        operationId: 'listScheduleExecutionsOfSchedule',
        tags,
        summary: "A schedule's executions, newest first",
        params: IdParams,
        querystring: ExecutionQuery,
        response: { 200: Page(ScheduleExecution) },
      },
    },
    async (request) => {
      const paging = { limit: request.query.limit ?? 50, offset: request.query.offset ?? 0 };
      return config.listExecutions({ scheduleId: request.params.id }, paging);
    },
  );

  app.get<{ Querystring: Static<typeof ExecutionQuery> }>(
    '/api/v1/schedule-executions',
    {
      schema: {
        operationId: 'listScheduleExecutions',
        tags,
        summary: 'Executions of every schedule (or of one schedule or group), newest first',
        querystring: ExecutionQuery,
        response: { 200: Page(ScheduleExecution) },
      },
    },
    async (request) => {
      const q = request.query;
      const paging = { limit: q.limit ?? 50, offset: q.offset ?? 0 };
      const filter = {
        ...(q.schedule_id === undefined ? {} : { scheduleId: q.schedule_id }),
        ...(q.group_id === undefined ? {} : { groupId: q.group_id }),
      };
      return config.listExecutions(filter, paging);
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/schedule-executions/:id',
    {
      schema: {
        operationId: 'getScheduleExecution',
        tags,
        summary: 'One execution with every VM outcome and skip reason',
        params: IdParams,
        response: { 200: ScheduleExecution },
      },
    },
    async (request) => config.getExecution(request.params.id),
  );
};
