// The Network Mapping page in Chromium on the dev stack: a 3-NIC VM added to management, all six mappings set
// through the dual-mapping modal (Save only when complete), the failover network config in NIC order, and the
// status naming the one mapping that is deleted afterwards. Screenshots of the page and the modal.
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
const NICS = ['VLAN 10 - Servers', 'VLAN 20 - App', 'VLAN 30 - Backup'];
const PRODUCTION = ['Prod-Web-VLAN100', 'Prod-App-VLAN150', 'Prod-DB-VLAN200'];
const TEST = ['DR-Test-Isolated', 'Lab-L2-Test', 'Dev-L2-Bubble'];

const inventory = smallEstate('DC-Net', 'esx01.net.local', [
  { name: 'erp-app-01', networks: NICS, disks: [{ capacityMiB: 16, seedKiB: 1024 }] },
  { name: 'erp-db-01', networks: ['VLAN 10 - Servers'], disks: [{ capacityMiB: 16, seedKiB: 1024 }] },
]);

describe('network mapping in Chromium', { skip, timeout: 300_000 }, () => {
  let h: Harness;
  let browser: BrowserContext;
  let page: Page;
  let cookie: string;
  let contextId: string;
  let ids: Map<string, string>;

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
    h = await startHarness({ inventory });
    const login = await fetch(`${h.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    const { vms } = await api<{ vms: { id: string; name: string }[] }>('POST', '/api/v1/discover', {});
    const vm = vms.find((v) => v.name === 'erp-app-01');
    const other = vms.find((v) => v.name === 'erp-db-01');
    assert.ok(vm && other);
    const added = await api<{ results: { context_id: string }[] }>('POST', '/api/v1/replications', {
      vm_ids: [vm.id, other.id],
      start_replication: false,
    });
    contextId = added.results[0]?.context_id ?? '';
    const networks = await api<{ id: string; name: string }[]>('GET', '/api/v1/networks/available');
    ids = new Map(networks.map((n) => [n.name, n.id]));
    browser = await h.newBrowser();
    page = browser.pages()[0] ?? (await browser.newPage());
  });
  after(async () => {
    await h?.close();
  });

  test('all six mappings of a 3-NIC VM through the dual-mapping modal', async () => {
    const consoleWatch = watchConsole(page, h.documentedPaths);
    await signIn(page, h.url, 'admin', ADMIN_PASSWORD);
    await page.getByRole('link', { name: 'Network Mapping' }).click();
    const row = page.getByRole('row', { name: /erp-app-01/ });
    await row.getByText('0 of 6 configured').waitFor();
    assert.match(await row.innerText(), /VLAN 10 - Servers, VLAN 20 - App, VLAN 30 - Backup/);

    await row.getByRole('button', { name: 'Configure networks of erp-app-01' }).click();
    const dialog = page.getByRole('dialog');
    const save = dialog.getByRole('button', { name: 'Save mappings' });
    for (const [i, nic] of NICS.entries()) {
      await dialog.getByLabel(`Production network for ${nic}`).selectOption(ids.get(PRODUCTION[i] ?? '') ?? '');
      assert.equal(await save.isDisabled(), true, 'Save stays disabled until every network has both mappings');
      await dialog.getByLabel(`Test network for ${nic}`).selectOption(ids.get(TEST[i] ?? '') ?? '');
    }
    assert.equal(await dialog.getByRole('progressbar').getAttribute('aria-valuenow'), '100');
    assert.deepEqual(await unlabelledFields(page), []);
    // The bar and the button animate (CSS transitions): picture them once they have arrived.
    await page.waitForFunction(() => document.getAnimations().every((a) => a.playState === 'finished'));
    await screenshot(page, 'network-mapping-modal');
    await save.click();
    await row.getByText('6 of 6 configured').waitFor();
    await screenshot(page, 'network-mapping');
    assert.deepEqual(consoleWatch.errors, []);
    assert.deepEqual([...consoleWatch.missingApis], []);
  });

  test('network-config returns the production ids (live) and test ids (test) in NIC order', async () => {
    type Config = { nics: { label: string; destination_network_id: string }[] };
    const live = await api<Config>('GET', `/api/v1/failover/${contextId}/network-config?type=live`);
    assert.deepEqual(
      live.nics.map((n) => n.destination_network_id),
      PRODUCTION.map((n) => ids.get(n)),
    );
    const testCfg = await api<Config>('GET', `/api/v1/failover/${contextId}/network-config?type=test`);
    assert.deepEqual(
      testCfg.nics.map((n) => n.destination_network_id),
      TEST.map((n) => ids.get(n)),
    );
  });

  test('deleting one mapping leaves five; the page says needs setup and names the missing one', async () => {
    await api(
      'DELETE',
      `/api/v1/network-mappings/context/${contextId}/${encodeURIComponent('VLAN 20 - App')}?kind=test`,
    );
    const rows = await api<unknown[]>('GET', `/api/v1/network-mappings/context/${contextId}`);
    assert.equal(rows.length, 5);
    await page.reload();
    const row = page.getByRole('row', { name: /erp-app-01/ });
    await row.getByText('5 of 6 configured').waitFor();
    assert.match(await row.innerText(), /needs setup/);
    assert.match(await row.innerText(), /VLAN 20 - App: test/);
  });

  test('the bulk rule previews each VM and kind, then applies', async () => {
    await page.getByRole('button', { name: 'Bulk rule' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('VMware network').selectOption('VLAN 10 - Servers');
    await dialog.getByLabel('Production network').selectOption(ids.get('Prod-App-VLAN150') ?? '');
    await dialog.getByLabel('Test network').selectOption(ids.get('Lab-L2-Test') ?? '');
    await dialog.getByRole('button', { name: 'Preview' }).click();
    const preview = dialog.getByRole('table', { name: 'Bulk rule preview' });
    await preview.waitFor();
    assert.match(
      await dialog.getByRole('status').innerText(),
      /2 VMs have this network: 2 new, 2 replaced, 0 unchanged/,
    );
    assert.match(await preview.innerText(), /erp-db-01\s+production\s+create\s+Prod-App-VLAN150/);
    await page.waitForFunction(() => document.getAnimations().every((a) => a.playState === 'finished'));
    await screenshot(page, 'network-mapping-bulk');
    await dialog.getByRole('button', { name: 'Apply rule' }).click();
    await page
      .getByRole('row', { name: /erp-db-01/ })
      .getByText('2 of 2 configured')
      .waitFor();
  });

  test('the VM context panel shows each NIC with its production and test mapping', async () => {
    await page.goto(`${h.url}/vms?ctx=${contextId}`);
    const panel = page.getByRole('complementary', { name: 'VM details' });
    await panel.getByText('5 of 6 configured').waitFor();
    const text = await panel.innerText();
    assert.match(text, /Network adapter 1 on VLAN 10 - Servers\s+Production: Prod-App-VLAN150 · Test: Lab-L2-Test/);
    assert.match(text, /Network adapter 2 on VLAN 20 - App\s+Production: Prod-App-VLAN150 · Test: not mapped/);
  });
});
