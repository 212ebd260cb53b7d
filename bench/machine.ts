// The machine a benchmark ran on, for the lines appended to docs/benchmarks.md (npm run bench, npm run load).
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';

function version(command: string, args: string[] = ['--version']): string {
  try {
    return (
      execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
        .split('\n')[0]
        ?.trim() ?? ''
    );
  } catch {
    return 'not installed';
  }
}

export function machine(): string[] {
  const cpu = cpus();
  let load = '';
  try {
    load = execFileSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).trim().split(' ').slice(0, 3).join(' ');
  } catch {
    load = 'unknown';
  }
  return [
    `- CPU: ${cpu.length} x ${cpu[0]?.model ?? 'unknown'}`,
    `- memory: ${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    `- load average at start: ${load} (the machine is shared; figures are noisy)`,
    `- node ${process.version}`,
    `- ${version('nbdkit')}, ${version('nbdcopy')}, ${version('qemu-img')}`,
  ];
}
