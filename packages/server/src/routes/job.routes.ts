// Jobs from the JobLog: list with filters and paging, one job with its steps, logs and child jobs, and the
// lookup by the external id a caller chose up front (how the GUI follows a job it started).
import { jobStatuses, jobStepStatuses, MigrateKitError } from '@migratekit/core';
import { fromJson, type JobRecord, type JobStepRecord, type LogEventRecord } from '@migratekit/db';
import { Type, type Static } from '@sinclair/typebox';
import type { RoutePlugin } from '../app-context';
import { IdParams, Page, PagingQuery, StatusEnum } from '../http/schemas';
import type { JobDetails } from '../joblog';

const DateTime = Type.String({ format: 'date-time' });
const NullableDateTime = Type.Union([DateTime, Type.Null()]);
const NullableString = Type.Union([Type.String(), Type.Null()]);
const JobStatus = StatusEnum(jobStatuses);

export const JobView = Type.Object({
  id: Type.String(),
  external_job_id: Type.String(),
  parent_job_id: NullableString,
  vm_context_id: NullableString,
  job_type: Type.String(),
  operation: Type.String(),
  status: JobStatus,
  owner: NullableString,
  progress_percent: Type.Number(),
  total_steps: Type.Union([Type.Integer(), Type.Null()]),
  completed_steps: Type.Integer(),
  error_code: NullableString,
  error_message: NullableString,
  metadata: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  workflow_name: Type.Union([Type.String({ description: 'Workflow jobs only (docs/workflows.md)' }), Type.Null()]),
  pause_reason: Type.Union([
    Type.String({ description: "Why a paused workflow job waits for the operator's decision" }),
    Type.Null(),
  ]),
  created_at: DateTime,
  updated_at: DateTime,
  started_at: NullableDateTime,
  completed_at: NullableDateTime,
});

const StepView = Type.Object({
  id: Type.String(),
  step_order: Type.Integer(),
  name: Type.String(),
  status: StatusEnum(jobStepStatuses),
  error_code: NullableString,
  error_message: NullableString,
  started_at: DateTime,
  completed_at: NullableDateTime,
  kind: Type.Union([Type.Literal('run'), Type.Literal('compensate'), Type.Null()], {
    description: 'Workflow steps: run, or compensate (named `compensate: <step>`); null for other jobs',
  }),
  output: Type.Unknown({ description: "A workflow step's recorded output (ids it created), null if none" }),
});

const LogView = Type.Object({
  id: Type.Integer(),
  step: NullableString,
  level: Type.String(),
  message: Type.String(),
  fields: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  created_at: DateTime,
});

const JobDetailsView = Type.Composite([
  JobView,
  Type.Object({ steps: Type.Array(StepView), logs: Type.Array(LogView), children: Type.Array(JobView) }),
]);

const Filter = Type.String({ minLength: 1, maxLength: 200 });
const JobsQuery = Type.Object(
  {
    status: Type.Optional(Type.Array(JobStatus, { description: 'Repeat to match several statuses' })),
    type: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'job_type' })),
    context_id: Type.Optional(Filter),
    parent_job_id: Type.Optional(Filter),
    root_only: Type.Optional(Type.Boolean({ description: 'Only jobs without a parent' })),
    ...PagingQuery,
  },
  { additionalProperties: false },
);

const iso = (date: Date | null): string | null => (date === null ? null : date.toISOString());

function toJobView(job: JobRecord): Static<typeof JobView> {
  return {
    id: job.id,
    external_job_id: job.external_job_id,
    parent_job_id: job.parent_job_id,
    vm_context_id: job.vm_context_id,
    job_type: job.job_type,
    operation: job.operation,
    status: job.status,
    owner: job.owner,
    progress_percent: job.progress_percent,
    total_steps: job.total_steps,
    completed_steps: job.completed_steps,
    error_code: job.error_code,
    error_message: job.error_message,
    metadata: job.metadata,
    workflow_name: job.workflow_name,
    pause_reason: job.pause_reason,
    created_at: job.created_at.toISOString(),
    updated_at: job.updated_at.toISOString(),
    started_at: iso(job.started_at),
    completed_at: iso(job.completed_at),
  };
}

function toStepView(step: JobStepRecord): Static<typeof StepView> {
  return {
    id: step.id,
    step_order: step.step_order,
    name: step.name,
    status: step.status,
    error_code: step.error_code,
    error_message: step.error_message,
    started_at: step.started_at.toISOString(),
    completed_at: iso(step.completed_at),
    kind: step.step_kind === 'run' || step.step_kind === 'compensate' ? step.step_kind : null,
    output: fromJson<unknown>(step.output),
  };
}

function toLogView(log: LogEventRecord): Static<typeof LogView> {
  return {
    id: log.id,
    step: log.step,
    level: log.level,
    message: log.message,
    fields: log.fields,
    created_at: log.created_at.toISOString(),
  };
}

function toDetailsView(job: JobDetails | undefined, what: string): Static<typeof JobDetailsView> {
  if (job === undefined) throw new MigrateKitError('MKE_NOT_FOUND', { message: `Job ${what} not found` });
  return {
    ...toJobView(job),
    steps: job.steps.map(toStepView),
    logs: job.logs.map(toLogView),
    children: job.children.map(toJobView),
  };
}

export const jobRoutes: RoutePlugin = (app, { services }) => {
  const tags = ['jobs'];

  app.get<{ Querystring: Static<typeof JobsQuery> }>(
    '/api/v1/jobs',
    { schema: { tags, summary: 'List jobs, newest first', querystring: JobsQuery, response: { 200: Page(JobView) } } },
    async (request) => {
      const q = request.query;
      const limit = q.limit ?? 50;
      const offset = q.offset ?? 0;
      const page = await services.jobs.listJobs(
        {
          ...(q.status === undefined ? {} : { status: q.status }),
          ...(q.type === undefined ? {} : { jobType: q.type }),
          ...(q.context_id === undefined ? {} : { contextId: q.context_id }),
          ...(q.parent_job_id === undefined ? {} : { parentJobId: q.parent_job_id }),
          ...(q.root_only === undefined ? {} : { rootOnly: q.root_only }),
        },
        { limit, offset },
      );
      return { items: page.items.map(toJobView), total: page.total, limit, offset };
    },
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/jobs/by-external-id/:id',
    {
      schema: {
        tags,
        summary: 'A job by the external id its caller chose, with steps, logs and child jobs',
        params: IdParams,
        response: { 200: JobDetailsView },
      },
    },
    async (request) =>
      toDetailsView(await services.jobs.getJobByExternalId(request.params.id), `with external id ${request.params.id}`),
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/api/v1/jobs/:id',
    {
      schema: {
        tags,
        summary: 'A job with its steps, logs, progress and child jobs',
        params: IdParams,
        response: { 200: JobDetailsView },
      },
    },
    async (request) => toDetailsView(await services.jobs.getJob(request.params.id), request.params.id),
  );
};
