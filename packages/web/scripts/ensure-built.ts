// Builds the dashboard when dist/ is missing or older than its sources, so `npm start` on a fresh clone (and the
// e2e suite) always serve the code in this tree. Run directly: node --import tsx packages/web/scripts/ensure-built.ts
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const WEB_ROOT = resolve(import.meta.dirname, '..');
export const WEB_DIST = join(WEB_ROOT, 'dist');

function newestMtime(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist') continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

export function webBuildIsStale(): boolean {
  const built = join(WEB_DIST, 'index.html');
  if (!existsSync(built)) return true;
  const sources = [
    join(WEB_ROOT, 'src'),
    join(WEB_ROOT, 'index.html'),
    join(WEB_ROOT, 'vite.config.ts'),
    join(WEB_ROOT, '..', 'sdk', 'src'),
    join(WEB_ROOT, '..', 'core', 'src'),
  ];
  return Math.max(...sources.map(newestMtime)) > statSync(built).mtimeMs;
}

export function ensureWebBuilt(): void {
  if (!webBuildIsStale()) return;
  // Build beside dist/ and swap it in, so that two test files building at once never serve a half-written dist.
  const tmp = `${WEB_DIST}-tmp-${process.pid}`;
  const vite = join(WEB_ROOT, '..', '..', 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--logLevel', 'warn', '--outDir', tmp, '--emptyOutDir'], {
    cwd: WEB_ROOT,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    rmSync(tmp, { recursive: true, force: true });
    throw new Error(`dashboard build failed (exit ${result.status ?? result.signal})`);
  }
  // Another process may have finished a build meanwhile: keep the first complete one, never delete a dist that
  // a running server is serving from.
  if (existsSync(WEB_DIST) && !webBuildIsStale()) {
    rmSync(tmp, { recursive: true, force: true });
    return;
  }
  const old = `${WEB_DIST}-old-${process.pid}`;
  if (existsSync(WEB_DIST)) renameSync(WEB_DIST, old);
  try {
    renameSync(tmp, WEB_DIST);
  } catch {
    rmSync(tmp, { recursive: true, force: true });
  }
  rmSync(old, { recursive: true, force: true });
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) ensureWebBuilt();
