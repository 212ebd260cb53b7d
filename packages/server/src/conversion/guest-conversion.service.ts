// The rules around guest conversion that are not the failover step itself (docs/conversion.md): inspecting a
// VM's synced disks while they are attached to this server and keeping the result on the context, and the
// pre-flight verdict a failover shows before it starts (skip with why, refuse Windows without drivers, or go).
import { MigrateKitError } from '@migratekit/core';
import type { GuestInspectionRecord, Repositories } from '@migratekit/db';
import type { Logger } from 'pino';
import type { DeviceResolver } from '../volumes';
import type { ConverterAvailability, GuestConverter, GuestOsFamily } from './guest-converter';
import { osFamilyFromGuestId } from './guest-os';

export interface GuestConversionServiceDeps {
  converter: GuestConverter;
  repositories: Pick<Repositories, 'contexts' | 'cloudstackVolumes' | 'guestInspections'>;
  /** Finds the server's block device of an attached volume (by-id link of its serial). */
  devices: Pick<DeviceResolver, 'current'>;
  logger: Logger;
}

export interface ConversionPreflight {
  /** The OS family a conversion would use: the stored inspection's, else the one vSphere reported. */
  osFamily: GuestOsFamily;
  /** Whether the failover's conversion step will run the converter. */
  willConvert: boolean;
  /** Why the step will be skipped (no converter on this server, conversion turned off). */
  skipReason?: string | undefined;
  /** What must stop the failover before it starts (e.g. a Windows guest without virtio-win drivers). */
  blockingReason?: string | undefined;
  /** The latest stored inspection of the VM's disks, if one was made. */
  inspection?: GuestInspectionRecord | undefined;
}

export class GuestConversionService {
  constructor(private readonly deps: GuestConversionServiceDeps) {}

  availability(): Promise<ConverterAvailability> {
    return this.deps.converter.availability();
  }

  latestInspection(contextId: string): Promise<GuestInspectionRecord | undefined> {
    return this.deps.repositories.guestInspections.get(contextId);
  }

  /**
   * The block devices of the context's volumes that are attached to this server, in the context's disk order
   * (the root disk first). MKE_CONFLICT when one is not attached here or its device has not appeared.
   */
  async serverDevices(contextId: string): Promise<string[]> {
    await this.deps.repositories.contexts.require(contextId);
    const volumes = await this.deps.repositories.cloudstackVolumes.listByContext(contextId);
    if (volumes.length === 0)
      throw new MigrateKitError('MKE_CONFLICT', {
        message: `VM context ${contextId} has no synced volumes to inspect`,
        details: { context_id: contextId },
      });
    const devices: string[] = [];
    for (const volume of volumes) {
      const device = volume.mode === 'oma' ? await this.deps.devices.current(volume.volume_id) : undefined;
      if (device === undefined)
        throw new MigrateKitError('MKE_CONFLICT', {
          message: `volume ${volume.volume_id} of VM context ${contextId} is not attached to this server`,
          details: { context_id: contextId, volume_id: volume.volume_id, mode: volume.mode },
        });
      devices.push(device.devicePath);
    }
    return devices;
  }

  /** Inspects the VM's synced disks (read-only) and stores the result as the context's latest inspection. */
  async inspectContext(contextId: string, signal: AbortSignal): Promise<GuestInspectionRecord> {
    const availability = await this.deps.converter.availability();
    if (!availability.available)
      throw new MigrateKitError('MKE_NOT_CONFIGURED', {
        message: `guest inspection is not available: ${availability.reason ?? 'no converter'}`,
      });
    const devices = await this.serverDevices(contextId);
    const inspection = await this.deps.converter.inspect(devices, signal);
    this.deps.logger.info({ contextId, devices, inspection }, 'guest inspected');
    return this.deps.repositories.guestInspections.record({
      vm_context_id: contextId,
      os_family: inspection.osFamily,
      distribution: inspection.distribution ?? null,
      version: inspection.version ?? null,
      kernel: inspection.kernel ?? null,
      convertible: inspection.convertible,
      reason: inspection.reason ?? null,
      devices,
    });
  }

  /** What a failover's conversion step will do for this VM, for the pre-flight report. */
  async preflight(contextId: string): Promise<ConversionPreflight> {
    const context = await this.deps.repositories.contexts.require(contextId);
    const inspection = await this.latestInspection(contextId);
    const osFamily = isFamily(inspection?.os_family) ? inspection.os_family : osFamilyFromGuestId(context.os_type);
    const availability = await this.deps.converter.availability();
    if (!availability.available)
      return { osFamily, willConvert: false, skipReason: availability.reason ?? 'no converter', inspection };
    const unsupported = availability.unsupported?.[osFamily];
    if (unsupported !== undefined) return { osFamily, willConvert: false, blockingReason: unsupported, inspection };
    if (inspection !== undefined && !inspection.convertible)
      return { osFamily, willConvert: false, blockingReason: inspection.reason ?? 'not convertible', inspection };
    return { osFamily, willConvert: true, inspection };
  }
}

function isFamily(value: string | undefined): value is GuestOsFamily {
  return value === 'linux' || value === 'windows' || value === 'other' || value === 'unknown';
}
