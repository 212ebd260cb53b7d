// Failover from the dashboard in Chromium on the dev stack, as an operator does it: a replicated VM whose networks
// are not mapped yet shows what blocks it; the Network Mapping modal opened from the readiness list fixes that;
// a test failover goes through the pre-flight modal (options, checks item by item) and its steps complete in the
// panel's live tracker; the decision modal cleans it up; then a live failover (typed VM name) and a rollback that
// powers the source back on. Screenshots of the pre-flight modal, the tracker mid-run and the decision modal.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { skipUnlessPeer } from '@migratekit/core';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import {
  ADMIN_PASSWORD,
  hasChromium,
  screenshot,
  signIn,
  smallEstate,
  startHarness,
  unlabelledFields,
  watchConsole,
} from './e2e/harness';
import type { Harness } from './e2e/harness';

const skip = skipUnlessPeer('chromium', hasChromium);
const VM = 'fo-web-01';
const NICS = ['VLAN 10 - Servers', 'VLAN 20 - App'];

const inventory = smallEstate('DC-Fo', 'esx01.fo.local', [
  {
    name: VM,
    networks: NICS,
    disks: [
      { capacityMiB: 16, seedKiB: 1024 },
      { capacityMiB: 8, seedKiB: 512 },
    ],
  },
]);

describe('failover in Chromium', { skip, timeout: 600_000 }, () => {
  let h: Harness;
  let browser: BrowserContext;
  let page: Page;
  let cookie: string;
  let contextId: string;
  let consoleWatch: ReturnType<typeof watchConsole>;

  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${h.url}${path}`, {
      method,
      headers: { cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    assert.ok(res.ok, `${method} ${path}: ${res.status} ${text}`);
    return (text === '' ? null : JSON.parse(text)) as T;
  };

  const contextStatus = async () =>
    (await api<{ current_status: string; power_state: string | null }>('GET', `/api/v1/vm-contexts/${contextId}`))
      .current_status;

  const panel = (): Locator => page.getByRole('complementary', { name: 'VM details' });

  /** Waits until the panel's tracker shows its job ended; every step must have completed. Returns the summary. */
  async function trackerFinished(): Promise<string> {
    const tracker = panel().getByTestId('vm-failover-tracker');
    await page.waitForFunction(
      () => {
        const status = document.querySelector('[data-testid="vm-failover-tracker"] [data-testid="tracker-job-status"]');
        return status !== null && !['running', 'pending', 'compensating'].includes(status.textContent ?? '');
      },
      undefined,
      { timeout: 120_000 },
    );
    const text = await tracker.innerText();
    const statuses = await tracker
      .getByTestId('tracker-step')
      .evaluateAll((steps) => steps.map((s) => s.getAttribute('data-step-status')));
    assert.ok(statuses.length > 0 && statuses.every((s) => s === 'completed'), `every step completed:\n${text}`);
    return tracker.getByTestId('tracker-summary').innerText();
  }

  before(async () => {
    h = await startHarness({ inventory });
    const login = await fetch(`${h.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const { vms } = await api<{ vms: { id: string; name: string }[] }>('POST', '/api/v1/discover', {});
    const vm = vms.find((v) => v.name === VM);
    assert.ok(vm);
    const added = await api<{ results: { context_id: string }[] }>('POST', '/api/v1/replications', {
      vm_ids: [vm.id],
      start_replication: true,
    });
    contextId = added.results[0]?.context_id ?? '';
    for (let i = 0; i < 600 && (await contextStatus()) !== 'ready_for_failover'; i++)
      await new Promise((r) => setTimeout(r, 200));
    assert.equal(await contextStatus(), 'ready_for_failover', 'the first replication completed');
    browser = await h.newBrowser();
    page = browser.pages()[0] ?? (await browser.newPage());
    consoleWatch = watchConsole(page, h.documentedPaths);
    await signIn(page, h.url, 'admin', ADMIN_PASSWORD);
  });
  after(async () => {
    await h?.close();
  });

  test('readiness names the missing mappings and the modal it opens fixes them', async () => {
    await page.goto(`${h.url}/vms?ctx=${contextId}`);
    const readiness = panel().getByTestId('failover-readiness');
    await readiness.getByText(/Test failover: not ready/).waitFor({ timeout: 30_000 });
    assert.match(await readiness.innerText(), /network mapping/i);
    await readiness.getByRole('button', { name: 'Map networks' }).first().click();
    const dialog = page.getByRole('dialog');
    const networks = await api<{ id: string; name: string; suitable_for: string[] }[]>(
      'GET',
      '/api/v1/networks/available',
    );
    // Networks of the simulator's default zone (the appliance's): a target VM is deployed there.
    const production = networks.find((n) => n.name === 'Prod-Web-VLAN100' && n.suitable_for.includes('production'));
    const testNet = networks.find((n) => n.name === 'Dev-L2-Bubble' && n.suitable_for.includes('test'));
    assert.ok(production && testNet);
    for (const nic of NICS) {
      await dialog.getByLabel(`Production network for ${nic}`).selectOption(production.id);
      await dialog.getByLabel(`Test network for ${nic}`).selectOption(testNet.id);
    }
    await dialog.getByRole('button', { name: 'Save mappings' }).click();
    await readiness.getByText('Test failover: ready').waitFor({ timeout: 30_000 });
    await readiness.getByText('Live failover: ready').waitFor();
  });

  test('a test failover through the pre-flight modal, every step completing in the tracker', async () => {
    await panel().getByRole('button', { name: 'Test failover' }).click();
    const dialog = page.getByRole('dialog', { name: `Test failover: ${VM}` });
    await dialog.getByText(/All \d+ checks passed/).waitFor({ timeout: 30_000 });
    const checks = await dialog.getByTestId('preflight-checks').innerText();
    for (const name of ['networks', 'volumes', 'last sync']) assert.match(checks, new RegExp(`Passed\\s+${name}`));
    for (const option of ['Keep MAC addresses', 'Skip guest conversion'])
      assert.equal(await dialog.getByLabel(option).count(), 1, `option ${option}`);
    assert.match(await dialog.innerText(), /Default: off/);
    assert.deepEqual(await unlabelledFields(page), []);
    await page.waitForFunction(() => document.getAnimations().every((a) => a.playState === 'finished'));
    await screenshot(page, 'failover-preflight');
    // Focus stays in the dialog: tabbing past the last control comes back to the first.
    for (let i = 0; i < 30; i++) await page.keyboard.press('Tab');
    assert.ok(await dialog.evaluate((el) => el.contains(document.activeElement)), 'focus stays in the dialog');
    await dialog.getByRole('button', { name: 'Start test failover' }).click();
    const tracker = panel().getByTestId('vm-failover-tracker');
    await tracker.getByText(`test failover of ${VM}`).waitFor({ timeout: 30_000 });
    await tracker.getByTestId('tracker-step').first().waitFor({ timeout: 30_000 });
    await screenshot(page, 'failover-tracker');
    const summary = await trackerFinished();
    assert.match(summary, /(\d+) of \1 steps done/);
    for (const step of ['validate', 'snapshot', 'start'])
      assert.match(await tracker.innerText(), new RegExp(step, 'i'), `step ${step} is shown`);
    await panel().getByRole('button', { name: 'Clean up test' }).waitFor({ timeout: 30_000 });
    assert.equal(await contextStatus(), 'failed_over_test');
  });

  test('the cleanup decision says what is discarded, then runs step by step', async () => {
    await panel().getByRole('button', { name: 'Clean up test' }).click();
    const dialog = page.getByRole('dialog', { name: `Clean up test failover: ${VM}` });
    await dialog.getByTestId('decision-will').waitFor({ timeout: 30_000 });
    assert.match(await dialog.getByTestId('decision-loses').innerText(), /since the failover/);
    assert.equal(
      await dialog.getByLabel('Power the source VM back on in vSphere').count(),
      0,
      'no power-on for a test',
    );
    await dialog.getByRole('button', { name: 'Clean up', exact: true }).click();
    await panel().getByRole('button', { name: 'Test failover' }).waitFor({ timeout: 120_000 });
    assert.equal(await contextStatus(), 'ready_for_failover');
  });

  test('a live failover asks for the typed VM name', async () => {
    await panel().getByRole('button', { name: 'Live failover' }).click();
    const dialog = page.getByRole('dialog', { name: `Live failover: ${VM}` });
    await dialog.getByText(/All \d+ checks passed/).waitFor({ timeout: 30_000 });
    const start = dialog.getByRole('button', { name: 'Start live failover' });
    assert.equal(await start.isDisabled(), true, 'Start waits for the typed name');
    await dialog.getByLabel(/Type the VM name/).fill(`${VM}-typo`);
    assert.equal(await start.isDisabled(), true);
    await dialog.getByLabel(/Type the VM name/).fill(VM);
    // The guest gets 10 s to shut down cleanly before the hard power-off (the default is 5 minutes).
    await dialog.getByLabel('Power-off timeout (seconds)').fill('10');
    await dialog.getByText(/All \d+ checks passed/).waitFor({ timeout: 30_000 });
    await start.click();
    await panel().getByTestId('vm-failover-tracker').getByText(`live failover of ${VM}`).waitFor({ timeout: 30_000 });
    await trackerFinished();
    await panel().getByRole('button', { name: 'Roll back' }).waitFor({ timeout: 30_000 });
    assert.equal(await contextStatus(), 'failed_over_live');
  });

  test('the rollback decision offers power-on and keep-target; rolling back powers the source on', async () => {
    await panel().getByRole('button', { name: 'Roll back' }).click();
    const dialog = page.getByRole('dialog', { name: `Roll back live failover: ${VM}` });
    await dialog.getByTestId('decision-will').waitFor({ timeout: 30_000 });
    const powerOn = dialog.getByLabel('Power the source VM back on in vSphere');
    await powerOn.check();
    assert.match(await dialog.innerText(), /The source starts again/);
    assert.equal(await dialog.getByLabel('Keep the target VM, stopped, for inspection').isChecked(), false);
    await page.waitForFunction(() => document.getAnimations().every((a) => a.playState === 'finished'));
    await screenshot(page, 'failover-decision');
    await dialog.getByRole('button', { name: 'Roll back', exact: true }).click();
    await panel().getByRole('button', { name: 'Live failover' }).waitFor({ timeout: 120_000 });
    assert.equal(await contextStatus(), 'ready_for_failover');
    const vm = await api<{ power_state: string | null }>('GET', `/api/v1/vm-contexts/${contextId}`);
    assert.equal(vm.power_state, 'poweredOn');
  });

  test("the VM's story lists every job and decision, newest first, with who started it", async () => {
    const story = panel().getByRole('list', { name: 'History, newest first' });
    await story.getByText('Live rollback').waitFor({ timeout: 30_000 });
    const text = await story.innerText();
    // The first replication is the oldest entry (a replication may follow the rollback: take the last one).
    const order = [
      text.indexOf('Live rollback'),
      text.indexOf('Live failover'),
      text.indexOf('Test cleanup'),
      text.indexOf('Test failover'),
      text.lastIndexOf('Replication'),
    ];
    assert.ok(
      order.every((i) => i >= 0),
      `every kind is in the story: ${text}`,
    );
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
      `newest first: ${text}`,
    );
    assert.match(text, /by admin/);
  });

  test('the console stayed empty', () => {
    assert.deepEqual(consoleWatch.errors, []);
    assert.deepEqual([...consoleWatch.missingApis], []);
  });
});
