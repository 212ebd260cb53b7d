// The real guest converter (docs/conversion.md): virt-v2v-in-place converts the guest on the devices in place,
// virt-inspector inspects them read-only. Both run libguestfs' appliance; without /dev/kvm it runs under TCG
// (LIBGUESTFS_BACKEND_SETTINGS=force_tcg), slower but correct.
import { constants } from 'node:fs';
import { access, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MigrateKitError, type Clock, type ErrorCode } from '@migratekit/core';
import type { Logger } from 'pino';
import { checkPrerequisites, windowsUnsupportedReason } from './converter-prerequisites';
import type {
  ConversionRequest,
  ConversionResult,
  ConverterAvailability,
  GuestConverter,
  GuestInspection,
} from './guest-converter';
import { inspectionFromReport } from './inspector-report';
import { kvmUsable } from './kvm-acceleration';
import { conversionDomainXml, type DomainDisk } from './libvirt-domain-xml';
import { runTool, type ToolOutcome } from './tool-process';

export interface VirtV2vConverterOptions {
  clock: Clock;
  logger: Logger;
  /** MIGRATEKIT_VIRTIO_WIN: the virtio-win drivers (directory or ISO) Windows guests need. */
  virtioWin?: string | undefined;
  /** The time limit the conversion step passes as ConversionRequest.timeoutMs. */
  conversionTimeoutMs: number;
  inspectionTimeoutMs: number;
  /** The tools' environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Where the domain XML of a conversion is written (default: the system's temporary directory). */
  workDir?: string;
}

const TOOL_NAME = 'virt-v2v-in-place';

async function diskOf(path: string): Promise<DomainDisk> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    throw new MigrateKitError('MKE_GUEST_CONVERSION_FAILED', {
      message: `guest disk ${path} does not exist on this server`,
      details: { device: path },
      cause: error,
    });
  }
  if (info.isBlockDevice()) return { path, kind: 'block' };
  if (info.isFile()) return { path, kind: 'file' };
  throw new MigrateKitError('MKE_GUEST_CONVERSION_FAILED', {
    message: `guest disk ${path} is neither a block device nor an image file`,
    details: { device: path },
  });
}

/** The tool's own error: from its "<tool>: error:" line to the end, else its last lines. */
export function toolErrorText(outcome: Pick<ToolOutcome, 'stderrTail' | 'tail'>): string {
  const lines = outcome.stderrTail.length > 0 ? outcome.stderrTail : outcome.tail;
  const start = lines.findIndex((line) => /: error: /.test(line));
  const chosen = start === -1 ? lines.slice(-8) : lines.slice(start);
  // virt-v2v ends its errors with how to report a bug: not the reason, and it would bury it.
  const bugAdvice = chosen.findIndex((line) => line.startsWith('If reporting bugs'));
  if (bugAdvice > 0) chosen.splice(bugAdvice);
  return chosen
    .map((line) => line.trim())
    .join(' ')
    .replace(/\s+/g, ' ')
    .slice(0, 4000);
}

export class VirtV2vConverter implements GuestConverter {
  readonly conversionTimeoutMs: number;

  constructor(private readonly options: VirtV2vConverterOptions) {
    this.conversionTimeoutMs = options.conversionTimeoutMs;
  }

  availability(): Promise<ConverterAvailability> {
    return checkPrerequisites({ env: this.baseEnv(), virtioWin: this.options.virtioWin });
  }

  async inspect(devices: readonly string[], signal: AbortSignal): Promise<GuestInspection> {
    if (devices.length === 0) throw new Error('inspect needs at least one device');
    for (const device of devices) await diskOf(device);
    const env = this.toolEnv();
    const outcome = await runTool({
      command: 'virt-inspector',
      args: devices.flatMap((device) => ['--format=raw', '-a', device]),
      env,
      clock: this.options.clock,
      timeoutMs: this.options.inspectionTimeoutMs,
      signal,
    });
    this.throwIfInterrupted(outcome, 'virt-inspector', 'MKE_GUEST_INSPECTION_FAILED');
    const policy = { windowsUnsupportedReason: await this.windowsReason() };
    if (outcome.exitCode !== 0) {
      const text = toolErrorText(outcome);
      // A disk without an operating system is an answer, not a failure of the inspection.
      if (/no operating system/i.test(text)) return { osFamily: 'unknown', convertible: false, reason: text };
      throw new MigrateKitError('MKE_GUEST_INSPECTION_FAILED', {
        message: `virt-inspector failed: ${text}`,
        details: { exit_code: outcome.exitCode, devices },
      });
    }
    return inspectionFromReport(outcome.stdout, policy);
  }

  async convert(request: ConversionRequest): Promise<ConversionResult> {
    const { devices, signal } = request;
    if (devices.length === 0) throw new Error('convert needs at least one device');
    const disks: DomainDisk[] = [];
    for (const device of devices) disks.push(await diskOf(device));
    await this.refuseUnconvertible(request);
    const dir = await mkdtemp(join(this.options.workDir ?? tmpdir(), 'migratekit-v2v-'));
    try {
      const xmlPath = join(dir, 'guest.xml');
      await writeFile(xmlPath, conversionDomainXml('migratekit-guest', disks), { mode: 0o600 });
      this.options.logger.info({ devices, timeoutMs: request.timeoutMs }, 'guest conversion started');
      const outcome = await runTool({
        command: TOOL_NAME,
        // --root single: a multi-boot guest fails with the tool's list of roots instead of waiting for an answer.
        args: ['-i', 'libvirtxml', '--root', 'single', xmlPath],
        env: this.toolEnv(),
        clock: this.options.clock,
        timeoutMs: request.timeoutMs,
        signal,
        onLine: (stream, line) => request.onLine(stream === 'stderr' ? 'warn' : 'info', line),
      });
      this.throwIfInterrupted(outcome, TOOL_NAME, 'MKE_GUEST_CONVERSION_TIMEOUT');
      if (outcome.exitCode !== 0) {
        throw new MigrateKitError('MKE_GUEST_CONVERSION_FAILED', {
          message: `${TOOL_NAME} failed: ${toolErrorText(outcome)}`,
          details: { exit_code: outcome.exitCode, exit_signal: outcome.exitSignal, devices },
        });
      }
      this.options.logger.info({ devices, durationMs: outcome.durationMs }, 'guest conversion finished');
      return { summary: outcome.tail.slice(-5).join('\n'), durationMs: outcome.durationMs };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }

  /** `unknown` is inspected first; a guest the tool cannot convert fails here with the reason, before any change. */
  private async refuseUnconvertible(request: ConversionRequest): Promise<void> {
    let family = request.osFamily;
    if (family === 'unknown') {
      const inspection = await this.inspect(request.devices, request.signal);
      request.onLine(
        'info',
        `inspection: ${inspection.osFamily} ${inspection.distribution ?? ''} ${inspection.version ?? ''}`.trim(),
      );
      if (!inspection.convertible)
        throw new MigrateKitError('MKE_GUEST_CONVERSION_FAILED', {
          message: `the guest cannot be converted: ${inspection.reason ?? 'inspection found nothing to convert'}`,
          details: { inspection },
        });
      family = inspection.osFamily;
    }
    const unsupported = (await this.availability()).unsupported?.[family];
    if (unsupported !== undefined)
      throw new MigrateKitError('MKE_GUEST_CONVERSION_FAILED', {
        message: `the guest cannot be converted: ${unsupported}`,
        details: { os_family: family },
      });
  }

  private throwIfInterrupted(
    outcome: ToolOutcome,
    tool: string,
    timeoutCode: Extract<ErrorCode, 'MKE_GUEST_CONVERSION_TIMEOUT' | 'MKE_GUEST_INSPECTION_FAILED'>,
  ): void {
    if (outcome.aborted)
      throw new MigrateKitError('MKE_CANCELLED', { message: `${tool} was stopped: the step was aborted` });
    if (outcome.timedOut)
      throw new MigrateKitError(timeoutCode, {
        message: `${tool} did not finish within ${Math.round(outcome.durationMs / 1000)} s and was stopped: ${toolErrorText(outcome)}`,
        details: { timed_out: true },
      });
  }

  private async windowsReason(): Promise<string | undefined> {
    const virtioWin = this.options.virtioWin;
    return windowsUnsupportedReason(virtioWin, virtioWin !== undefined && (await canRead(virtioWin)));
  }

  private baseEnv(): NodeJS.ProcessEnv {
    return this.options.env ?? process.env;
  }

  /** libguestfs without libvirt (direct backend); TCG when this server cannot use KVM (kvm-acceleration.ts). */
  private toolEnv(): NodeJS.ProcessEnv {
    const base = this.baseEnv();
    const env: NodeJS.ProcessEnv = { ...base, LC_ALL: 'C', LIBGUESTFS_BACKEND: base.LIBGUESTFS_BACKEND ?? 'direct' };
    if (base.LIBGUESTFS_BACKEND_SETTINGS === undefined && !kvmUsable()) env.LIBGUESTFS_BACKEND_SETTINGS = 'force_tcg';
    if (this.options.virtioWin !== undefined) env.VIRTIO_WIN = this.options.virtioWin;
    return env;
  }
}

async function canRead(path: string): Promise<boolean> {
  try {
    await access(path, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}
