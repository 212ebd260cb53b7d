// The first run of an installed server, as an operator meets it: `migratekit server` (not the dev stack) on an
// empty SQLite data dir, the vCenter and CloudStack simulators as their own processes, and the agent started
// from the command line the setup page prints. Every step is walked in Chromium: a wrong credential first (the
// step says what is wrong), then the right one; the console stays empty (docs/install.md#first-run-setup).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { freePorts } from '@migratekit/node-common';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { skipUnlessPeer } from '@migratekit/core';
import { FIRST_ADMIN_PASSWORD_FILE } from '@migratekit/server';
import type { BrowserContext, Page } from 'playwright-core';
import { ensureWebBuilt } from '../scripts/ensure-built';
import {
  documentedPathsOf,
  hasChromium,
  launchChromium,
  screenshot,
  unlabelledFields,
  watchConsole,
} from './e2e/harness';

const skip = skipUnlessPeer('chromium', hasChromium);
const CLI = resolve(import.meta.dirname, '..', '..', '..', 'bin', 'migratekit.mjs');
const CS_API_KEY = 'first-run-api-key';
const CS_SECRET_KEY = 'first-run-secret-key';

interface Child {
  process: ChildProcess;
  output: () => string;
}

/** Starts `migratekit ARGS` and resolves once its output matches `ready` (rejects if it exits first). */
function startCli(args: string[], ready: RegExp, options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: { ...process.env, LOG_LEVEL: 'warn', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let text = '';
  return new Promise<Child>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`migratekit ${args[0]} not ready in 60 s:\n${text}`)), 60_000);
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      if (ready.test(text)) {
        clearTimeout(timer);
        resolvePromise({ process: child, output: () => text });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`migratekit ${args.join(' ')} exited with ${code}:\n${text}`));
    });
  });
}

function field(text: string, label: string): string {
  const match = new RegExp(`${label}:\\s+(\\S+)`).exec(text);
  assert.ok(match?.[1], `${label} in:\n${text}`);
  return match[1];
}

/** Splits a printed command line: words, and single-quoted words as the shell reads them. */
function shellWords(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? '');
}

describe('first-run setup of a `migratekit server` in Chromium', { timeout: 180_000, skip }, () => {
  let dir: string;
  const children: ChildProcess[] = [];
  let vcenter: { hostPort: string; username: string; password: string; sha256: string; nbd: string };
  let csHostPort: string;
  let url: string;
  let agentPort: number;
  let adminPassword: string;
  let browser: BrowserContext;
  let closeBrowser: (() => Promise<void>) | undefined;
  let page: Page;
  let consoleWatch: ReturnType<typeof watchConsole>;

  before(async () => {
    ensureWebBuilt();
    dir = mkdtempSync(join(tmpdir(), 'migratekit-first-run-'));
    const [vcPort, nbdPort, csPort, apiPort, freeAgentPort] = await freePorts(5);
    agentPort = freeAgentPort;
    const [vc, cs] = await Promise.all([
      startCli(
        ['sim', 'vcenter', '--port', String(vcPort), '--nbd-port', String(nbdPort), '--data', join(dir, 'vc')],
        /govc:/,
      ),
      startCli(
        [
          'sim',
          'cloudstack',
          ...['--port', String(csPort), '--api-key', CS_API_KEY, '--secret-key', CS_SECRET_KEY],
          ...['--data', join(dir, 'cs'), '--job-latency', '0'],
        ],
        /cs:\s/,
      ),
    ]);
    children.push(vc.process, cs.process);
    vcenter = {
      hostPort: `127.0.0.1:${vcPort}`,
      username: field(vc.output(), 'user'),
      password: field(vc.output(), 'password'),
      sha256: field(vc.output(), 'SHA-256'),
      nbd: `127.0.0.1:${nbdPort}`,
    };
    csHostPort = field(cs.output(), 'operator URL');
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir);
    const server = await startCli(['server'], /First start: created user "admin"; its password is in/, {
      env: {
        PORT: String(apiPort),
        HOST: '127.0.0.1',
        MIGRATEKIT_AGENT_PORT: String(agentPort),
        MIGRATEKIT_DATA_DIR: dataDir,
      },
    });
    children.push(server.process);
    // Not a terminal: the generated first password is in the data dir, as under systemd.
    adminPassword = readFileSync(join(dataDir, FIRST_ADMIN_PASSWORD_FILE), 'utf8').trim();
    url = `http://127.0.0.1:${apiPort}`;
    const documented = await documentedPathsOf(url);
    ({ context: browser, close: closeBrowser } = await launchChromium());
    await browser.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
    page = browser.pages()[0] ?? (await browser.newPage());
    consoleWatch = watchConsole(page, documented);
  });

  after(async () => {
    await closeBrowser?.();
    for (const child of children.reverse()) {
      if (child.exitCode !== null) continue;
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const message = (id: string) => page.getByTestId(`setup-message-${id}`);
  const step = (title: string) => page.getByRole('listitem', { name: title });

  test('signing in on an empty server opens the setup checklist', { timeout: 60_000 }, async () => {
    await page.goto(url);
    await page.getByLabel('Username').fill('admin');
    await page.getByLabel('Password').fill(adminPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Setup', exact: true }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/setup', 'a first run lands on the checklist');
    assert.match(await message('vcenter').innerText(), /No vCenter credential yet/);
    assert.match(await message('cloudstack').innerText(), /No CloudStack configuration yet/);
    assert.match(await message('agent_paired').innerText(), /No agent paired yet/);
  });

  test('a wrong vCenter password is named by the step; the right one completes it', { timeout: 60_000 }, async () => {
    const vcStep = step('Add and test the vCenter credential');
    await vcStep.getByRole('button', { name: 'Add credential' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Lab vCenter');
    await page.getByLabel('vCenter host').fill(vcenter.hostPort);
    await page.getByLabel('Username').fill(vcenter.username);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Save' }).click();
    const row = vcStep.getByRole('row').filter({ hasText: 'Lab vCenter' });
    await row.waitFor();
    // The checklist re-reads its status after the save: wait for it rather than read the first render.
    await message('vcenter').filter({ hasText: 'has not been tested since it was saved' }).waitFor();

    // The simulator's certificate is self-signed: the first test offers to pin exactly its fingerprint.
    const testAndTrust = async () => {
      await row.getByRole('button', { name: 'Test', exact: true }).click();
      await row.getByRole('button', { name: /^Trust certificate/ }).click();
    };
    await testAndTrust();
    await message('vcenter').filter({ hasText: 'MKE_VCENTER_AUTH' }).waitFor();
    assert.match(await message('vcenter').innerText(), /The last test of Lab vCenter failed: .*\(MKE_VCENTER_AUTH\)/);
    assert.deepEqual(await unlabelledFields(page), []);
    await screenshot(page, 'setup-wrong-credential');

    await row.getByRole('button', { name: 'Edit' }).click();
    await page.getByLabel('Password').fill(vcenter.password);
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await testAndTrust();
    await message('vcenter')
      .filter({ hasText: /^Lab vCenter connected to/ })
      .waitFor();
  });

  test(
    'CloudStack: a wrong secret is named by the step; the right one, with discovered resources, completes it',
    {
      timeout: 60_000,
    },
    async () => {
      const csStep = step('Add and test CloudStack, and choose its resources');
      await csStep.getByLabel('API endpoint (host:port)').fill(csHostPort);
      await csStep.getByLabel('API key').fill(CS_API_KEY);
      await csStep.getByLabel('Secret key').fill('not-the-secret');
      await csStep.getByRole('button', { name: 'Save configuration' }).click();
      await message('cloudstack').filter({ hasText: 'MKE_CLOUDSTACK_AUTH' }).waitFor();

      await csStep.getByLabel('Secret key').fill(CS_SECRET_KEY);
      await csStep.getByRole('button', { name: 'Test connection' }).click();
      await csStep
        .getByRole('status')
        .filter({ hasText: /^Connected to / })
        .waitFor();
      await csStep.getByRole('button', { name: 'Discover resources' }).click();
      for (const label of ['Zone', 'Placeholder template', 'Service offering', 'Disk offering']) {
        const select = csStep.getByLabel(label, { exact: true });
        await page.waitForFunction(
          (el) => el instanceof HTMLSelectElement && el.options.length > 1,
          await select.elementHandle(),
        );
        await select.selectOption({ index: 1 });
      }
      await csStep.getByRole('button', { name: 'Save configuration' }).click();
      await message('cloudstack')
        .filter({ hasText: /connects to .*; zone and offerings are chosen/ })
        .waitFor();
    },
  );

  test('the printed pair command pairs a real agent, which comes online', { timeout: 60_000 }, async () => {
    const pairStep = step('Pair an agent');
    await pairStep.getByRole('button', { name: 'Create pairing token' }).click();
    const command = await page.getByTestId('agent-pair-command').innerText();
    assert.match(
      command,
      new RegExp(`^migratekit agent pair --server https://127\\.0\\.0\\.1:${agentPort} --token 'mkp1\\.`),
    );
    await pairStep.getByRole('button', { name: 'Copy the migratekit command' }).click();
    await pairStep.getByRole('button', { name: 'Copy the migratekit command' }).filter({ hasText: 'Copied' }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), command);
    assert.deepEqual(await unlabelledFields(page), []);
    await screenshot(page, 'setup-pair-agent');

    // As printed, with `node bin/migratekit.mjs` for `migratekit`; the state dir is the default ./agent-data.
    const words = shellWords(command);
    assert.equal(words[0], 'migratekit');
    const agentDir = join(dir, 'agent');
    mkdirSync(agentDir);
    const pair = await startCli(words.slice(1), /paired as agent/, { cwd: agentDir });
    await new Promise((done) => (pair.process.exitCode === null ? pair.process.once('exit', done) : done(null)));
    assert.equal(pair.process.exitCode, 0, pair.output());
    await message('agent_paired')
      .filter({ hasText: /^Paired: / })
      .waitFor();
    assert.match(await message('agent_online').innerText(), /paired but never connected/);

    // Then the run command, with the simulator's disks for VDDK and its self-signed certificate pinned.
    const agent = await startCli(
      ['agent', '--sim-nbd', vcenter.nbd, '--vcenter-thumbprint', `${vcenter.hostPort}=${vcenter.sha256}`],
      /agent online/,
      { cwd: agentDir, env: { LOG_LEVEL: 'info' } },
    );
    children.push(agent.process);
    await message('agent_online')
      .filter({ hasText: /^Online: / })
      .waitFor({ timeout: 30_000 });
  });

  test('the first discovery completes the checklist; the console stayed empty', { timeout: 60_000 }, async () => {
    const discoveryStep = step('Run the first discovery');
    await discoveryStep.getByRole('button', { name: 'Run discovery' }).click();
    // Done, the step closes: its verdict, from the recorded run, says what was found.
    await message('discovery')
      .filter({ hasText: /^Discovered [1-9]\d* VM\(s\) on \S+/ })
      .waitFor();
    await page
      .getByRole('status')
      .filter({ hasText: /^Setup is complete/ })
      .waitFor();
    await page.getByText('5 of 5 steps done').waitFor();
    await screenshot(page, 'setup-complete');
    assert.deepEqual(consoleWatch.errors, [], 'no console errors');
    assert.deepEqual([...consoleWatch.missingApis], [], 'no undocumented API fetched');
  });
});
