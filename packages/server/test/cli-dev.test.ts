// `migratekit dev` as a user runs it: a child process on an ephemeral port, the banner on stdout, health over
// real HTTP, and a clean exit on SIGTERM and SIGINT.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';

const BIN = resolve(import.meta.dirname, '..', '..', '..', 'bin', 'migratekit.mjs');

async function runUntilSignal(
  dataDir: string,
  signal: NodeJS.Signals,
): Promise<{ code: number | null; stdout: string }> {
  const child = spawn(process.execPath, [BIN, 'dev'], {
    env: {
      ...process.env,
      MIGRATEKIT_DATA_DIR: dataDir,
      PORT: '0',
      LOG_LEVEL: 'warn',
      MIGRATEKIT_DEV_GUEST_WRITES: 'off',
      // Not built here: the banner must say so and how to build it (the VM itself is tested with the conversion).
      MIGRATEKIT_DEV_GUEST_IMAGE: join(dataDir, 'no-guest.img'),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolveExit) => child.on('exit', (code) => resolveExit(code)));
  try {
    // Bounded wait for the banner: start-up compiles TypeScript on a shared machine.
    const url = await new Promise<string>((resolveUrl, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner within 60 s\n${stdout}\n${stderr}`)), 60_000);
      child.stdout.on('data', () => {
        const match = /URL: +(http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
        if (match?.[1] !== undefined) {
          clearTimeout(timer);
          resolveUrl(match[1]);
        }
      });
      void exited.then((code) => reject(new Error(`exited early with ${String(code)}\n${stderr}`)));
    });
    const health = await fetch(`${url}/api/v1/health`);
    assert.equal(health.status, 200);
    child.kill(signal);
    return { code: await exited, stdout };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

test(
  'migratekit dev serves, prints the login, and exits 0 on SIGTERM; a second start on SIGINT too',
  { timeout: 120_000 },
  async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mk-cli-dev-'));
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    const first = await runUntilSignal(dataDir, 'SIGTERM');
    assert.equal(first.code, 0);
    assert.match(first.stdout, /Login: +admin \/ \S{16,}/);
    assert.match(first.stdout, /Guest writes: +off/, 'the explicit option is shown, not derived from PORT=0');
    assert.match(
      first.stdout,
      /Guest VM: +not in the estate: \S+no-guest\.img does not exist; build it with `sudo bash scripts\/build-test-guest\.sh`/,
    );
    // The demo disks hold no OS: conversion is off unless asked for.
    assert.match(first.stdout, /Conversion: +off: the demo disks hold no OS/);
    const second = await runUntilSignal(dataDir, 'SIGINT');
    assert.equal(second.code, 0);
    const login = (s: string) => /Login: +(.*)/.exec(s)?.[1];
    assert.equal(login(second.stdout), login(first.stdout), 'data kept: same admin and password');
  },
);
