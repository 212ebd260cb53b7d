// The dev stack's protection demo (docs/scheduler.md#dev-stack): a schedule every 30 s (target RPO 45 s: one interval plus a copy) that
// drives the group dev-demo, created through the API on first start; on every start, managed VMs that are in no
// group join dev-demo, so the VMs a newcomer added stay green in the RPO column while the agent runs.
import type { RunningServer } from '../server-runtime';

export const DEV_SCHEDULE_NAME = 'dev-every-30s';
export const DEV_GROUP_NAME = 'dev-demo';

async function api<T>(server: RunningServer, token: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await server.app.inject({
    method: method as 'GET',
    url: path,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
  if (response.statusCode >= 400) throw new Error(`${method} ${path}: ${response.statusCode} ${response.body}`);
  return response.json<T>();
}

/** Creates the demo schedule and group when absent and adds ungrouped managed VMs; returns the group's id. */
export async function ensureDevSchedule(server: RunningServer, token: string): Promise<string> {
  const schedules = await api<Array<{ id: string; name: string }>>(server, token, 'GET', '/api/v1/schedules');
  const schedule =
    schedules.find((s) => s.name === DEV_SCHEDULE_NAME) ??
    (await api<{ id: string }>(server, token, 'POST', '/api/v1/schedules', {
      name: DEV_SCHEDULE_NAME,
      description: 'Dev stack demo: replicate the dev-demo group every 30 seconds',
      cron_expression: '*/30 * * * * *',
      max_concurrent_jobs: 4,
      target_rpo_seconds: 45,
    }));
  const groups = await api<Array<{ id: string; name: string }>>(server, token, 'GET', '/api/v1/machine-groups');
  const group =
    groups.find((g) => g.name === DEV_GROUP_NAME) ??
    (await api<{ id: string }>(server, token, 'POST', '/api/v1/machine-groups', {
      name: DEV_GROUP_NAME,
      schedule_id: schedule.id,
      max_concurrent_vms: 4,
      priority: 100,
    }));
  const grouped = new Set<string>();
  for (const g of await api<Array<{ id: string }>>(server, token, 'GET', '/api/v1/machine-groups')) {
    const members = await api<Array<{ vm_context_id: string }>>(
      server,
      token,
      'GET',
      `/api/v1/machine-groups/${g.id}/vms`,
    );
    for (const m of members) grouped.add(m.vm_context_id);
  }
  const contexts = await api<{ items: Array<{ context_id: string }> }>(
    server,
    token,
    'GET',
    '/api/v1/vm-contexts?limit=500',
  );
  for (const context of contexts.items.filter((c) => !grouped.has(c.context_id)))
    await api(server, token, 'POST', `/api/v1/machine-groups/${group.id}/vms`, { vm_context_id: context.context_id });
  return group.id;
}
