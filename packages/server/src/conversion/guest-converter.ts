// The guest-conversion adapter the failover workflow's conversion step calls: it makes a VMware guest bootable
// on KVM (virtio drivers in the initramfs, no VMware tools, fstab by UUID/label) while its volumes are attached
// to the server. The real implementation runs virt-v2v-in-place (see docs/conversion.md once it lands);
// `converterNotConfigured` is what a server without the tools gets: the step is recorded and skipped with that
// reason.

/** The guest's operating system family as discovery reported it (vSphere guestId mapped), or unknown. */
export type GuestOsFamily = 'linux' | 'windows' | 'other' | 'unknown';

export interface GuestInspection {
  /** What the inspector found on the disks; `unknown` when no operating system was found. */
  osFamily: GuestOsFamily;
  distribution?: string | undefined;
  version?: string | undefined;
  kernel?: string | undefined;
  /** Whether conversion is expected to work, and why not when it is not. */
  convertible: boolean;
  reason?: string | undefined;
}

export interface ConversionRequest {
  /** Block devices (or image files) of the guest's disks as the server sees them, the root disk first. */
  devices: readonly string[];
  /** From discovery; `unknown` makes the converter inspect first. */
  osFamily: GuestOsFamily;
  /** Receives the tool's progress and messages, line by line, for the job log. */
  onLine(level: 'info' | 'warn', line: string): void;
  /** Aborted when the workflow's step is aborted (shutdown, lost lease). */
  signal: AbortSignal;
  /** Hard limit on the tool's run time; the tool is killed and the conversion fails after it. */
  timeoutMs: number;
}

export interface ConversionResult {
  /** The tool's own summary (last lines of its output). */
  summary: string;
  durationMs: number;
}

/** Whether this server can convert guests at all, and what pre-flight must refuse (e.g. Windows without drivers). */
export interface ConverterAvailability {
  available: boolean;
  /** Why not, in one sentence an operator can act on (which package or variable is missing). */
  reason?: string | undefined;
  /** OS families this server cannot convert even though the tool is present, with the reason for each. */
  unsupported?: Partial<Record<GuestOsFamily, string>> | undefined;
}

export interface GuestConverter {
  /**
   * The configured time limit of one conversion (MIGRATEKIT_CONVERSION_TIMEOUT_SECONDS): the failover's
   * conversion step passes it as request.timeoutMs, so the configuration is the one limit.
   */
  readonly conversionTimeoutMs: number;
  availability(): Promise<ConverterAvailability>;
  /** Inspects the guest on the devices (read-only). Throws a MigrateKitError with the tool's text on failure. */
  inspect(devices: readonly string[], signal: AbortSignal): Promise<GuestInspection>;
  /** Converts the guest in place. Throws a MigrateKitError carrying the tool's error text on failure. */
  convert(request: ConversionRequest): Promise<ConversionResult>;
}

/** The converter of a server without virt-v2v: never available, so the conversion step is skipped with the reason. */
export function converterNotConfigured(reason: string): GuestConverter {
  const refuse = (): never => {
    throw new Error(`guest conversion is not available: ${reason}`);
  };
  return {
    // Never converts: no limit to apply.
    conversionTimeoutMs: 0,
    availability: () => Promise.resolve({ available: false, reason }),
    inspect: () => Promise.resolve(refuse()),
    convert: () => Promise.resolve(refuse()),
  };
}
