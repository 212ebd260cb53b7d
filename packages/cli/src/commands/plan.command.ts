// `migratekit plan list|show|create|update|delete|run|runs|undo`: recovery plans (docs/recovery-plans.md) through
// the generated SDK. A plan is given by id or name. `run --wait` follows the run stage by stage and prints a
// line whenever a stage or one of its failovers changes (plain lines, like `failover --wait`).
import type { Command } from 'commander';
import type { MigrateKitClient } from '@migratekit/sdk';
import { printJson, printTable } from '../lib/output';
import { addListCommand } from '../lib/resource-commands';
import { action, type JsonOption } from '../lib/run-command';
import { sdk } from './schedule.command';

type Run = Awaited<ReturnType<MigrateKitClient['ops']['getRecoveryPlanRun']>>;
type Plan = Awaited<ReturnType<MigrateKitClient['ops']['getRecoveryPlan']>>;

interface StageBody {
  name: string;
  wait_condition: 'completed' | 'running' | 'delay';
  wait_seconds?: number;
  members: Array<{ group_id: string } | { vm_context_id: string }>;
}

/**
 * `NAME=MEMBER,MEMBER[/WAIT]`: a member is `group:NAME` or a VM (context id or name); WAIT is `completed`,
 * `running[:SECONDS]` or `delay:SECONDS`. Example: `databases=group:db/running:300`.
 */
export function parseStage(spec: string): StageBody {
  const match = /^([^=]+)=([^/]+)(?:\/(completed|running|delay)(?::(\d+))?)?$/.exec(spec);
  if (match === null)
    throw new Error(`--stage "${spec}": expected NAME=MEMBER[,MEMBER...][/completed|/running[:s]|/delay:s]`);
  const [, name = '', list = '', condition = 'completed', secs] = match;
  if (condition === 'delay' && secs === undefined) throw new Error(`--stage "${spec}": delay needs seconds`);
  const members = list
    .split(',')
    .map((m) => m.trim())
    .filter((m) => m.length > 0)
    .map((m) => (m.startsWith('group:') ? { group_id: m.slice('group:'.length) } : { vm_context_id: m }));
  return {
    name: name.trim(),
    wait_condition: condition as StageBody['wait_condition'],
    ...(secs === undefined ? {} : { wait_seconds: Number(secs) }),
    members,
  };
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function describeStages(plan: Plan): string {
  return plan.stages
    .map((s) => `${s.position + 1}. ${s.name} [${s.members.map((m) => `${m.type}:${m.name}`).join(', ')}]`)
    .join('  ');
}

/** One line per stage or child change. */
function runLines(run: Run, seen: Map<string, string>): string[] {
  const lines: string[] = [];
  for (const stage of run.stages) {
    const key = `stage:${stage.position}`;
    if (seen.get(key) !== stage.status) {
      seen.set(key, stage.status);
      lines.push(`[${stage.position + 1}/${run.stage_count}] ${stage.name}: ${stage.status}`);
    }
    for (const child of stage.children) {
      const state = `${child.status ?? 'waiting'} ${child.current_step ?? ''}`.trim();
      if (seen.get(child.context_id) === state) continue;
      seen.set(child.context_id, state);
      const error = child.error_message === null ? '' : `: ${child.error_message}`;
      lines.push(
        `      ${child.vm_name}: ${child.status ?? 'waiting'}${child.current_step === null ? '' : ` (${child.current_step})`}${error}`,
      );
    }
  }
  return lines;
}

async function follow(
  api: MigrateKitClient,
  plan: string,
  runId: string,
  json: boolean,
  pollMs: number,
  until: (r: Run) => boolean,
) {
  const seen = new Map<string, string>();
  for (;;) {
    const run = await api.ops.getRecoveryPlanRun({ path: { id: plan, run_id: runId } });
    if (!json) for (const line of runLines(run, seen)) process.stdout.write(`${line}\n`);
    if (until(run)) return run;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

interface RunOptions extends JsonOption {
  test?: boolean;
  live?: boolean;
  wait?: boolean;
  pollMs?: string;
}

interface UndoOptions extends JsonOption {
  powerOnSource?: boolean;
  wait?: boolean;
  pollMs?: string;
}

function finish(run: Run, wanted: string, json: boolean): void {
  if (json) printJson(run);
  else
    process.stdout.write(`run ${run.id}: ${run.status}${run.error_message === null ? '' : `: ${run.error_message}`}\n`);
  if (run.status !== wanted) process.exitCode = 1;
}

export function registerPlanCommands(program: Command): void {
  const plan = program.command('plan').description('Recovery plans: ordered stages of groups or VMs to fail over');

  addListCommand(
    plan,
    'Every recovery plan with its stages',
    () => sdk().ops.listRecoveryPlans({}),
    ['name', 'stages'],
    (p) => ({ name: p.name, stages: describeStages(p) }),
  );

  plan
    .command('show')
    .argument('<plan>', 'id or name')
    .option('--json', 'machine-readable output')
    .action(
      action(async (ref: string, options: JsonOption) => {
        const found = await sdk().ops.getRecoveryPlan({ path: { id: ref } });
        if (options.json === true) return printJson(found);
        process.stdout.write(`${found.name}${found.description === null ? '' : ` - ${found.description}`}\n`);
        for (const s of found.stages)
          process.stdout.write(
            `  ${s.position + 1}. ${s.name} (then ${s.wait_condition}${s.wait_seconds > 0 ? ` ${s.wait_seconds} s` : ''}): ${s.members.map((m) => `${m.type}:${m.name}`).join(', ')}\n`,
          );
      }),
    );

  plan
    .command('create')
    .description('Create a plan: --stage "databases=group:db/running:300" --stage "apps=web-01,web-02/delay:60"')
    .argument('<name>', 'unique name')
    .requiredOption('--stage <spec>', 'NAME=MEMBER,...[/WAIT], in order; repeat per stage', collect, [])
    .option('--description <text>', 'what the plan is for')
    .option('--json', 'machine-readable output')
    .action(
      action(async (name: string, options: JsonOption & { stage: string[]; description?: string }) => {
        const created = await sdk().ops.createRecoveryPlan({
          body: {
            name,
            stages: options.stage.map(parseStage),
            ...(options.description === undefined ? {} : { description: options.description }),
          },
        });
        if (options.json === true) return printJson(created);
        process.stdout.write(`created plan ${created.name}: ${describeStages(created)}\n`);
      }),
    );

  plan
    .command('update')
    .argument('<plan>', 'id or name')
    .option('--stage <spec>', 'replaces every stage; repeat per stage', collect, [])
    .option('--name <name>', 'new name')
    .option('--description <text>', 'what the plan is for')
    .option('--json', 'machine-readable output')
    .action(
      action(async (ref: string, options: JsonOption & { stage: string[]; name?: string; description?: string }) => {
        const updated = await sdk().ops.updateRecoveryPlan({
          path: { id: ref },
          body: {
            ...(options.stage.length === 0 ? {} : { stages: options.stage.map(parseStage) }),
            ...(options.name === undefined ? {} : { name: options.name }),
            ...(options.description === undefined ? {} : { description: options.description }),
          },
        });
        if (options.json === true) return printJson(updated);
        process.stdout.write(`updated plan ${updated.name}: ${describeStages(updated)}\n`);
      }),
    );

  plan
    .command('delete')
    .argument('<plan>', 'id or name')
    .option('--json', 'machine-readable output')
    .action(
      action(async (ref: string, options: JsonOption) => {
        await sdk().ops.deleteRecoveryPlan({ path: { id: ref } });
        if (options.json === true) return printJson({ deleted: ref });
        process.stdout.write(`deleted plan ${ref}\n`);
      }),
    );

  plan
    .command('run')
    .description('Run the plan as a test or live failover, stage by stage')
    .argument('<plan>', 'id or name')
    .option('--test', 'test failover (target VMs on the test networks; sources stay on)')
    .option('--live', 'live failover (sources powered off; production networks)')
    .option('--wait', 'follow the run until it ends; exit code 1 unless it completed')
    .option('--poll-ms <ms>', 'how often --wait reads the run', '1000')
    .option('--json', 'machine-readable output')
    .action(
      action(async (ref: string, options: RunOptions) => {
        if ((options.test === true) === (options.live === true))
          throw new Error('give exactly one of --test or --live');
        const api = sdk();
        const json = options.json === true;
        const started = await api.ops.runRecoveryPlan({
          path: { id: ref },
          body: { failover_type: options.live === true ? 'live' : 'test' },
        });
        if (options.wait !== true) {
          if (json) return printJson(started);
          process.stdout.write(`started run ${started.id} of ${started.plan_name} (job ${started.job_id})\n`);
          return;
        }
        if (!json) process.stdout.write(`run ${started.id} of ${started.plan_name} (job ${started.job_id})\n`);
        const done = await follow(
          api,
          ref,
          started.id,
          json,
          Number(options.pollMs),
          (r) => !['running'].includes(r.status),
        );
        finish(done, 'completed', json);
      }),
    );

  plan
    .command('runs')
    .argument('<plan>', 'id or name')
    .option('--json', 'machine-readable output')
    .action(
      action(async (ref: string, options: JsonOption) => {
        const runs = await sdk().ops.listRecoveryPlanRuns({ path: { id: ref } });
        if (options.json === true) return printJson(runs);
        printTable(runs, ['id', 'failover_type', 'status', 'requested_by', 'created_at', 'error_message']);
      }),
    );

  plan
    .command('undo')
    .description('Clean up (test) or roll back (live) every failover of a finished run that completed')
    .argument('<plan>', 'id or name')
    .argument('<run>', 'run id')
    .option('--power-on-source', 'live runs: power the source VMs on again')
    .option('--wait', 'follow until the undo ends; exit code 1 unless undone')
    .option('--poll-ms <ms>', 'how often --wait reads the run', '1000')
    .option('--json', 'machine-readable output')
    .action(
      action(async (ref: string, runId: string, options: UndoOptions) => {
        const api = sdk();
        const json = options.json === true;
        const started = await api.ops.undoRecoveryPlanRun({
          path: { id: ref, run_id: runId },
          body: options.powerOnSource === true ? { power_on_source: true } : {},
        });
        if (options.wait !== true) {
          if (json) return printJson(started);
          process.stdout.write(`undoing run ${started.id}: ${started.undo_jobs.length} cleanup/rollback job(s)\n`);
          return;
        }
        const done = await follow(api, ref, runId, true, Number(options.pollMs), (r) => r.status !== 'undoing');
        finish(done, 'undone', json);
      }),
    );
}
