// The Schedules page in Chromium on the dev stack: a schedule created through its form, a machine group with a
// limit of one VM, three VMs added (one disabled, two reordered), "Run now" and its execution with the skip
// reasons, and the VM table's RPO column: the started VM protected, the VM the group limit held back breached,
// the disabled one without a schedule. Screenshots of the page and of the VM table.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { skipUnlessPeer } from '@migratekit/core';
import type { InventorySpec } from '@migratekit/sim-vcenter';
import type { BrowserContext, Page } from 'playwright-core';
import {
  ADMIN_PASSWORD,
  hasChromium,
  screenshot,
  signIn,
  startHarness,
  unlabelledFields,
  watchConsole,
} from './e2e/harness';
import type { Harness } from './e2e/harness';

const skip = skipUnlessPeer('chromium', hasChromium);
const VMS = ['app-01', 'app-02', 'app-03'];

const inventory: InventorySpec = {
  datacenters: [
    {
      name: 'DC-Sched',
      hosts: [{ name: 'esx01.sched.local' }],
      datastores: [{ name: 'DS-01', capacityGiB: 10 }],
      networks: [{ name: 'VM Network' }],
      vms: VMS.map((name) => ({
        name,
        host: 'esx01.sched.local',
        guest: 'linux' as const,
        guestId: 'ubuntu64Guest',
        guestFullName: 'Ubuntu Linux (64-bit)',
        powerState: 'poweredOn' as const,
        disks: [{ capacityBytes: 8 * 1024 * 1024, datastore: 'DS-01', seedBytes: 1024 * 1024 }],
        nics: [{ network: 'VM Network' }],
      })),
    },
  ],
};

describe('schedules in Chromium', { skip, timeout: 300_000 }, () => {
  let h: Harness;
  let browser: BrowserContext;
  let page: Page;

  before(async () => {
    h = await startHarness({ inventory });
    const login = await fetch(`${h.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const discovered = await fetch(`${h.url}/api/v1/discover`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: '{}',
    });
    const { vms } = (await discovered.json()) as { vms: { id: string; name: string }[] };
    const added = await fetch(`${h.url}/api/v1/replications`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ vm_ids: vms.map((v) => v.id), start_replication: false }),
    });
    assert.ok(added.ok, await added.text());
    browser = await h.newBrowser();
    page = browser.pages()[0] ?? (await browser.newPage());
  });
  after(async () => {
    await h?.close();
  });

  test('create a schedule and a group, order its VMs, run now, read the skip reasons and the RPO column', async () => {
    const consoleWatch = watchConsole(page, h.documentedPaths);
    await signIn(page, h.url, 'admin', ADMIN_PASSWORD);
    await page.getByRole('link', { name: 'Schedules' }).click();
    const schedules = page.getByRole('table', { name: 'Schedules' });
    await schedules.getByRole('row', { name: /dev-every-30s/ }).waitFor();

    await page.getByRole('button', { name: 'New schedule' }).click();
    const form = page.getByRole('dialog');
    await form.getByLabel('Name').fill('erp-hourly');
    await form.getByLabel('Cron expression').fill('0 0 * * * *');
    await form.getByLabel('Time zone').fill('Europe/Berlin');
    await form.getByLabel('Target RPO (seconds)').fill('600');
    assert.deepEqual(await unlabelledFields(page), []);
    await form.getByRole('button', { name: 'Save schedule' }).click();
    const row = schedules.getByRole('row', { name: /erp-hourly/ });
    await row.waitFor();
    assert.match(await row.innerText(), /0 0 \* \* \* \*\s+Europe\/Berlin/);

    await page.getByLabel('New group').fill('erp');
    await page.getByLabel('Schedule', { exact: true }).selectOption({ label: 'erp-hourly' });
    await page.getByLabel('Max VMs at once').fill('1');
    await page.getByRole('button', { name: 'Add group' }).click();
    await page.getByRole('button', { name: 'VMs of group erp' }).click();
    const members = page.getByRole('table', { name: 'VMs of erp' });
    for (const vm of VMS) {
      await page.getByLabel('Add a VM to erp').selectOption({ label: vm });
      await page.getByRole('button', { name: 'Add VM' }).click();
      await members.getByRole('row', { name: new RegExp(vm) }).waitFor();
    }
    await page.getByRole('button', { name: 'Move app-02 up' }).click();
    await members.getByRole('row').nth(1).getByText('app-02').waitFor();
    await members
      .getByRole('row', { name: /app-03/ })
      .getByRole('button', { name: 'Disable' })
      .click();
    await members
      .getByRole('row', { name: /app-03/ })
      .getByText('disabled')
      .waitFor();

    await row.getByRole('button', { name: 'Run erp-hourly now' }).click();
    const history = page.getByRole('table', { name: 'Schedule executions' });
    const run = history.getByRole('row', { name: /erp-hourly\s+admin/ });
    await run.waitFor();
    await run.click();
    const details = page.getByRole('table', { name: 'Execution details' });
    await details.getByRole('row', { name: /app-02\s+job / }).waitFor();
    await details.getByRole('row', { name: /app-01.*the group already runs its maximum of concurrent VMs/ }).waitFor();
    await details.getByRole('row', { name: /app-03.*the VM is disabled in its group/ }).waitFor();
    await screenshot(page, 'schedules');

    await page.getByRole('link', { name: 'Virtual Machines' }).click();
    const table = page.getByRole('table', { name: 'Virtual machines' });
    const badge = (vm: string) => table.getByRole('row', { name: new RegExp(vm) }).locator('[data-rpo-state]');
    // The VM list may first show what it had cached before the run; the badge turns once the list refreshes.
    const stateBadge = (vm: string, state: string) =>
      table.getByRole('row', { name: new RegExp(vm) }).locator(`[data-rpo-state="${state}"]`);
    await stateBadge('app-01', 'breached').waitFor();
    assert.match((await badge('app-01').getAttribute('title')) ?? '', /group already runs its maximum/);
    assert.equal(await badge('app-03').getAttribute('data-rpo-state'), 'unprotected');
    // app-02's job started: pending during its first copy, ok once it completed (the simulator is fast).
    assert.match((await badge('app-02').getAttribute('data-rpo-state')) ?? '', /^(pending|ok)$/);
    await screenshot(page, 'vms-rpo');
    assert.deepEqual(consoleWatch.errors, []);
    assert.deepEqual([...consoleWatch.missingApis], []);
  });
});
