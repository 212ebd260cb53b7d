// Guest conversion settings (docs/conversion.md): whether the server converts guests with virt-v2v when the
// tools are installed, where the virtio-win drivers for Windows guests are, and the tools' time limits.
import { isAbsolute, resolve } from 'node:path';

export interface ConversionConfig {
  /** MIGRATEKIT_CONVERTER: `auto` converts when virt-v2v is installed, `off` never converts. */
  mode: 'auto' | 'off';
  /** MIGRATEKIT_VIRTIO_WIN: directory or ISO of the virtio-win drivers; unset means no Windows conversion. */
  virtioWin: string | undefined;
  /** MIGRATEKIT_CONVERSION_TIMEOUT_SECONDS: hard limit on one virt-v2v-in-place run. */
  timeoutMs: number;
  /** MIGRATEKIT_INSPECTION_TIMEOUT_SECONDS: hard limit on one inspection. */
  inspectionTimeoutMs: number;
}

export const DEFAULT_CONVERSION_TIMEOUT_SECONDS = 3600;
export const DEFAULT_INSPECTION_TIMEOUT_SECONDS = 900;

type Fail = (variable: string, message: string) => never;

function seconds(env: NodeJS.ProcessEnv, name: string, fallback: number, fail: Fail): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback * 1000;
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 86_400)
    fail(name, `must be a whole number of seconds between 1 and 86400, got "${raw}"`);
  return Number(raw) * 1000;
}

/** `fail` throws the caller's ConfigError naming the variable. */
export function parseConversionConfig(env: NodeJS.ProcessEnv, fail: Fail): ConversionConfig {
  const rawMode = (env.MIGRATEKIT_CONVERTER ?? '').toLowerCase();
  if (rawMode !== '' && rawMode !== 'auto' && rawMode !== 'off')
    fail('MIGRATEKIT_CONVERTER', `must be auto or off, got "${env.MIGRATEKIT_CONVERTER ?? ''}"`);
  const virtioWin =
    env.MIGRATEKIT_VIRTIO_WIN === undefined || env.MIGRATEKIT_VIRTIO_WIN === '' ? undefined : env.MIGRATEKIT_VIRTIO_WIN;
  return {
    mode: rawMode === 'off' ? 'off' : 'auto',
    virtioWin: virtioWin === undefined || isAbsolute(virtioWin) ? virtioWin : resolve(virtioWin),
    timeoutMs: seconds(env, 'MIGRATEKIT_CONVERSION_TIMEOUT_SECONDS', DEFAULT_CONVERSION_TIMEOUT_SECONDS, fail),
    inspectionTimeoutMs: seconds(
      env,
      'MIGRATEKIT_INSPECTION_TIMEOUT_SECONDS',
      DEFAULT_INSPECTION_TIMEOUT_SECONDS,
      fail,
    ),
  };
}
