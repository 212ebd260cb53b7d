// The load run's output: a readable report, one `LOAD-SUMMARY <json>` line for tools (the smoke test reads it),
// and with LOAD_RECORD=1 a section appended to docs/benchmarks.md.
import { appendFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Check } from './load-checks';
import type { LoadConfig } from './load-config';
import type { Percentiles } from './load-latency';
import type { KillRecord } from './load-phase';

const DOCS = fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url));

export interface LoadSummary {
  engine: string;
  servers: number;
  agents: number;
  vms: number;
  replicate: number;
  setupMs: Record<string, number>;
  contexts: number;
  /** Of `contexts`, written by the harness rather than added through the API (LOAD_API_ADD). */
  contextsSeeded: number;
  addFailures: number;
  latency: Record<string, Percentiles>;
  jobsCompleted: number;
  jobsPerMinute: number;
  phaseMs: number;
  phaseFinished: boolean;
  /** Per VM and tick over all executions: `created`, or `skipped:<reason>` etc. (why VMs did not replicate). */
  outcomes: Record<string, number>;
  kill: KillRecord | undefined;
  checks: Check[];
}

const LATENCY_LABELS: Record<string, string> = {
  listIdle: 'GET /api/v1/vm-contexts, all contexts, no jobs running',
  listLoad: 'GET /api/v1/vm-contexts, while replications run',
  jobDetailLoad: 'GET /api/v1/replications/{id}, while replications run',
  jobDetailIdle: 'GET /api/v1/replications/{id}, after the run',
};

function takeover(v: number | undefined): string {
  return v === undefined ? 'never' : `${v} ms`;
}

function outcomeLine(outcomes: Record<string, number>): string {
  return Object.entries(outcomes)
    .map(([k, n]) => `${k}=${n}`)
    .join(', ');
}

function ms(v: number): string {
  return Number.isFinite(v) ? v.toFixed(1) : '-';
}

export function printReport(summary: LoadSummary): void {
  const out = (line: string): void => void process.stdout.write(`${line}\n`);
  out('');
  out(
    `load run on ${summary.engine}: ${summary.servers} servers, ${summary.agents} agents, ${summary.vms} VMs, ` +
      `${summary.contexts} contexts (${summary.contexts - summary.contextsSeeded} added through the API, ` +
      `${summary.addFailures} add failures, ${summary.contextsSeeded} written by the harness), ` +
      `${summary.replicate} to replicate`,
  );
  out(
    `setup: ${Object.entries(summary.setupMs)
      .map(([k, v]) => `${k} ${(v / 1000).toFixed(1)} s`)
      .join(', ')}`,
  );
  for (const [key, p] of Object.entries(summary.latency))
    out(
      `latency ${LATENCY_LABELS[key] ?? key}: p50 ${ms(p.p50)} ms, p95 ${ms(p.p95)} ms, p99 ${ms(p.p99)} ms, ` +
        `max ${ms(p.max)} ms (${p.count} requests, ${p.errors} errors)`,
    );
  out(
    `throughput: ${summary.jobsCompleted} jobs completed, ${summary.jobsPerMinute.toFixed(1)} jobs/min; phase ` +
      `${(summary.phaseMs / 1000).toFixed(1)} s, ${summary.phaseFinished ? 'finished' : 'hit the time limit'}`,
  );
  out(`schedule outcomes (VM x tick): ${outcomeLine(summary.outcomes)}`);
  if (summary.kill !== undefined)
    out(
      `kill: SIGKILL to ${summary.kill.serverId} with ${summary.kill.activeJobIds.length} jobs running; scheduler ` +
        `takeover ${takeover(summary.kill.schedulerTakeoverMs)}, job takeover ${takeover(summary.kill.jobTakeoverMs)}`,
    );
  for (const check of summary.checks) out(`CHECK ${check.ok ? 'PASS' : 'FAIL'} ${check.name}: ${check.detail}`);
  const { kill, ...rest } = summary;
  const killSummary = kill === undefined ? undefined : { ...kill, activeJobIds: kill.activeJobIds.length };
  out(`LOAD-SUMMARY ${JSON.stringify({ ...rest, kill: killSummary })}`);
}

/** A docs/benchmarks.md section with the figures and the verdicts. */
export function recordReport(summary: LoadSummary, config: LoadConfig, machineAtStart: string[]): void {
  const lines = [
    '',
    `## ${new Date().toISOString()} — load (${summary.engine})`,
    '',
    ...machineAtStart,
    `- ${summary.servers} servers, ${summary.agents} agents, ${summary.vms} VMs, ${summary.contexts} contexts ` +
      `(${summary.contextsSeeded} written by the harness, the rest added through the API), ${summary.replicate} replicated, ` +
      `disks ${config.minDiskMiB}-${config.maxDiskMiB} MiB, schedule max ${config.maxConcurrentJobs} jobs`,
    '',
    '| figure | p50 ms | p95 ms | p99 ms | requests |',
    '| --- | --- | --- | --- | --- |',
    ...Object.entries(summary.latency).map(
      ([k, p]) => `| ${LATENCY_LABELS[k] ?? k} | ${ms(p.p50)} | ${ms(p.p95)} | ${ms(p.p99)} | ${p.count} |`,
    ),
    '',
    `- jobs per minute: ${summary.jobsPerMinute.toFixed(1)} (${summary.jobsCompleted} completed)`,
    `- schedule outcomes (VM x tick): ${outcomeLine(summary.outcomes)}`,
    ...(summary.kill === undefined
      ? []
      : [
          `- takeover after SIGKILL of ${summary.kill.serverId}: scheduler ${takeover(summary.kill.schedulerTakeoverMs)}, ` +
            `jobs ${takeover(summary.kill.jobTakeoverMs)}`,
        ]),
    ...summary.checks.map((c) => `- ${c.ok ? 'PASS' : 'FAIL'} ${c.name}: ${c.detail}`),
  ];
  appendFileSync(DOCS, `${lines.join('\n')}\n`);
}
