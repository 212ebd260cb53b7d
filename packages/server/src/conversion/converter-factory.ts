// Chooses the server's guest converter from its configuration: virt-v2v unless MIGRATEKIT_CONVERTER=off. The
// virt-v2v converter itself reports, through availability(), when its tools are not installed.
import type { Clock } from '@migratekit/core';
import type { Logger } from 'pino';
import type { ConversionConfig } from '../config/conversion-config';
import { converterNotConfigured, type GuestConverter } from './guest-converter';
import { VirtV2vConverter } from './virt-v2v-converter';

export function converterFromConfig(
  config: ConversionConfig,
  deps: { clock: Clock; logger: Logger; env?: NodeJS.ProcessEnv },
): GuestConverter {
  if (config.mode === 'off') return converterNotConfigured('guest conversion is turned off (MIGRATEKIT_CONVERTER=off)');
  return new VirtV2vConverter({
    clock: deps.clock,
    logger: deps.logger.child({ component: 'guest-converter' }),
    virtioWin: config.virtioWin,
    conversionTimeoutMs: config.timeoutMs,
    inspectionTimeoutMs: config.inspectionTimeoutMs,
    ...(deps.env === undefined ? {} : { env: deps.env }),
  });
}
