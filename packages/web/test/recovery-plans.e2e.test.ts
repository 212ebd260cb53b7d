// The Recovery plans page in Chromium on the dev stack: two replicated and mapped VMs, one in a machine group;
// a plan built in its form (stage 1 the group, waiting for Running; stage 2 a VM), run as a test failover from
// the page, followed in the live stage tracker until both stages completed, then "Undo what ran" until the run
// is undone and CloudStack holds no target VM. The console stays empty. Screenshot: recovery-plans.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { skipUnlessPeer } from '@migratekit/core';
import type { BrowserContext, Page } from 'playwright-core';
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
const VMS = ['rp-db-01', 'rp-web-01'];
const NIC = 'VLAN 10 - Servers';

const inventory = smallEstate(
  'DC-Plan',
  'esx01.plan.local',
  VMS.map((name) => ({ name, networks: [NIC], cbtEnabled: true, disks: [{ capacityMiB: 8, seedKiB: 512 }] })),
);

describe('recovery plans in Chromium', { skip, timeout: 300_000 }, () => {
  let h: Harness;
  let browser: BrowserContext;
  let page: Page;
  let cookie: string;

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

  before(async () => {
    // The simulator's disks hold no operating system: guest conversion is off (docs/conversion.md).
    h = await startHarness({ inventory, env: { MIGRATEKIT_CONVERTER: 'off' } });
    const login = await fetch(`${h.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const { vms } = await api<{ vms: { id: string; name: string }[] }>('POST', '/api/v1/discover', {});
    const added = await api<{ results: { vm_id: string; context_id: string }[] }>('POST', '/api/v1/replications', {
      vm_ids: vms.filter((v) => VMS.includes(v.name)).map((v) => v.id),
      start_replication: true,
    });
    const networks = await api<{ id: string; name: string; suitable_for: string[] }[]>(
      'GET',
      '/api/v1/networks/available',
    );
    const production = networks.find((n) => n.name === 'Prod-Web-VLAN100' && n.suitable_for.includes('production'));
    const testNet = networks.find((n) => n.name === 'Dev-L2-Bubble' && n.suitable_for.includes('test'));
    assert.ok(production && testNet);
    for (const { context_id } of added.results) {
      for (let i = 0; i < 600; i++) {
        const ctx = await api<{ current_status: string }>('GET', `/api/v1/vm-contexts/${context_id}`);
        if (ctx.current_status === 'ready_for_failover') break;
        await new Promise((r) => setTimeout(r, 200));
      }
      await api('PUT', `/api/v1/network-mappings/context/${context_id}/${encodeURIComponent(NIC)}`, {
        production_network_id: production.id,
        test_network_id: testNet.id,
      });
    }
    const db = added.results.find((r) => r.vm_id === vms.find((v) => v.name === 'rp-db-01')?.id);
    const group = await api<{ id: string }>('POST', '/api/v1/machine-groups', { name: 'databases' });
    await api('POST', `/api/v1/machine-groups/${group.id}/vms`, { vm_context_id: db?.context_id });
    browser = await h.newBrowser();
    page = browser.pages()[0] ?? (await browser.newPage());
  });
  after(async () => {
    await h?.close();
  });

  test('build a plan in the form, run it as a test, follow the stages, undo what ran', async () => {
    const consoleWatch = watchConsole(page, h.documentedPaths);
    await signIn(page, h.url, 'admin', ADMIN_PASSWORD);
    await page.getByRole('link', { name: 'Recovery plans' }).click();
    await page.getByText('No recovery plan yet.').waitFor();

    await page.getByRole('button', { name: 'New plan' }).click();
    const form = page.getByRole('dialog');
    await form.getByLabel('Plan name').fill('dr-e2e');
    await form.getByLabel('Stage 1 name').fill('databases');
    await form.getByLabel('Stage 1: next stage waits for').selectOption('running');
    await form.getByLabel('Stage 1 seconds').fill('60');
    await form.getByLabel('Add to Stage 1').selectOption({ label: 'Group databases' });
    await form.getByRole('button', { name: 'Add member to Stage 1' }).click();
    await form.getByRole('button', { name: 'Add stage' }).click();
    await form.getByLabel('Stage 2 name').fill('web');
    await form.getByLabel('Add to Stage 2').selectOption({ label: 'rp-web-01' });
    await form.getByRole('button', { name: 'Add member to Stage 2' }).click();
    assert.deepEqual(await unlabelledFields(page), []);
    await form.getByRole('button', { name: 'Save plan' }).click();
    const row = page.getByRole('table', { name: 'Recovery plans' }).getByRole('row', { name: /dr-e2e/ });
    await row.waitFor();
    assert.match(await row.innerText(), /1\. databases \(databases\)\s+2\. web \(rp-web-01\)/);

    await row.getByRole('button', { name: 'Test dr-e2e' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Start test' }).click();
    const tracker = page.getByTestId('plan-run-tracker');
    await tracker.waitFor({ timeout: 30_000 });
    await page.waitForFunction(
      () => document.querySelector('[data-testid="plan-run-tracker"]')?.getAttribute('data-run-status') !== 'running',
      undefined,
      { timeout: 120_000 },
    );
    assert.equal(await tracker.getAttribute('data-run-status'), 'completed', await tracker.innerText());
    const stageStatuses = await tracker
      .getByTestId('plan-stage')
      .evaluateAll((stages) => stages.map((s) => s.getAttribute('data-stage-status')));
    assert.deepEqual(stageStatuses, ['completed', 'completed']);
    const text = await tracker.innerText();
    for (const vm of VMS) assert.match(text, new RegExp(`${vm}\\s+completed`));
    assert.match(text, /rp-db-01-test-\d{14}/);
    // The progress bars animate their width: the picture waits for them.
    await page.waitForFunction(() => document.getAnimations().every((a) => a.playState === 'finished'));
    await screenshot(page, 'recovery-plans');

    await tracker.getByRole('button', { name: 'Undo what ran' }).click();
    const confirm = page.getByRole('dialog');
    assert.match(
      await confirm.innerText(),
      /Cleans up the 2 failover\(s\) that completed: rp-web-01, rp-db-01|rp-db-01, rp-web-01/,
    );
    await confirm.getByRole('button', { name: 'Undo' }).click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="plan-run-tracker"]')?.getAttribute('data-run-status') === 'undone',
      undefined,
      { timeout: 120_000 },
    );
    assert.deepEqual(
      h.stack.estate?.cloudstack.inventory().vms.filter((vm) => !vm.isServer),
      [],
      'no target VM is left',
    );
    assert.deepEqual(consoleWatch.errors, []);
    assert.deepEqual([...consoleWatch.missingApis], []);
  });
});
