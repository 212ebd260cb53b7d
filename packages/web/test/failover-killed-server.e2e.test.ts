// A server killed mid-failover, seen from the dashboard in Chromium: `migratekit dev` runs as a child process
// (simulators and agent in this process keep running, as a real cloud does); a live failover is followed in the VM
// panel until CloudStack's snapshots are under way, then the page is closed and the server gets SIGKILL. Started
// again on the same data dir, it pauses the failover by its policy; a new page shows the job paused for a decision
// with its reason, in the VM panel and on the job page. The operator undoes it with the keyboard alone; the job
// ends compensated with its reason, the source VM is on again, the VM can fail over again, and the CloudStack
// simulator holds nothing the failover left behind. The console stays empty throughout.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { skipUnlessPeer } from '@migratekit/core';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { readyForFailover, startKillableServer, until, type KillableServer } from '../../server/test/killable-server';
import { ensureWebBuilt } from '../scripts/ensure-built';
import {
  ADMIN_PASSWORD,
  documentedPathsOf,
  hasChromium,
  launchChromium,
  screenshot,
  signIn,
  smallEstate,
  watchConsole,
} from './e2e/harness';

const skip = skipUnlessPeer('chromium', hasChromium);
const VM = 'kill-web-01';
const NICS = ['VLAN 10 - Servers', 'VLAN 20 - App'];
/** CloudStack's snapshot jobs are held this long, so the failover is mid-run when the server dies. */
const SNAPSHOT_LATENCY_MS = 6_000;

const inventory = smallEstate('DC-Kill', 'esx01.kill.local', [
  {
    name: VM,
    networks: NICS,
    disks: [
      { capacityMiB: 16, seedKiB: 1024 },
      { capacityMiB: 8, seedKiB: 512 },
    ],
  },
]);

interface FailoverStatus {
  workflow_job_id: string;
  workflow_status: string | null;
  pause_reason: string | null;
  steps: Array<{ name: string; kind: string; status: string }>;
}

describe('a server killed mid-failover, in Chromium', { skip, timeout: 180_000 }, () => {
  let server: KillableServer;
  let browser: { context: BrowserContext; close: () => Promise<void> };
  let documentedPaths: Set<string>;
  let contextId: string;
  const watches: Array<ReturnType<typeof watchConsole>> = [];

  const panel = (page: Page): Locator => page.getByRole('complementary', { name: 'VM details' });
  const openPage = async (): Promise<Page> => {
    const page = await browser.context.newPage();
    watches.push(watchConsole(page, documentedPaths));
    return page;
  };
  const failoverStatus = async (jobId: string): Promise<FailoverStatus> =>
    (await server.api<FailoverStatus>('GET', `/api/v1/failover/${jobId}/status`)).body;

  before(async () => {
    ensureWebBuilt();
    server = await startKillableServer({ inventory, adminPassword: ADMIN_PASSWORD });
    const networks = await server.api<Array<{ id: string; name: string }>>('GET', '/api/v1/networks/available');
    const byName = (name: string): string => {
      const network = networks.body.find((n) => n.name === name);
      assert.ok(network, `network ${name}`);
      return network.id;
    };
    // Networks of the simulator's default zone (the server VM's): a target VM is deployed there.
    const mappings = NICS.map((source) => ({
      source,
      production: byName('Prod-Web-VLAN100'),
      test: byName('Dev-L2-Bubble'),
    }));
    contextId = (await readyForFailover(server, [VM], mappings)).get(VM) ?? '';
    documentedPaths = await documentedPathsOf(server.url);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('paused with its reason after the restart; undone from the keyboard to a clean end', async () => {
    const first = await openPage();
    await signIn(first, server.url, 'admin', ADMIN_PASSWORD);
    server.cloudstack.controls.setLatency('createSnapshot', SNAPSHOT_LATENCY_MS);
    const started = await server.api<{ job_id: string }>('POST', '/api/v1/failover/unified', {
      vm_id: contextId,
      failover_type: 'live',
      options: { shutdown_timeout_ms: 2_000 },
    });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const jobId = started.body.job_id;
    await first.goto(`${server.url}/vms?ctx=${contextId}`);
    const tracker = panel(first).getByTestId('vm-failover-tracker');
    await tracker.getByText(`live failover of ${VM}`).waitFor({ timeout: 30_000 });
    await until('the failover to be inside "snapshot volumes"', async () =>
      (await failoverStatus(jobId)).steps.some((s) => s.name === 'snapshot volumes' && s.status === 'running'),
    );
    await tracker
      .locator('[data-step-status="running"]')
      .getByText(/snapshot volumes/i)
      .waitFor({ timeout: 10_000 });
    // The page would log the lost event stream: it is closed before the kill, a new one opened after.
    await first.close();

    assert.equal(await server.kill9(), 'SIGKILL');
    server.cloudstack.controls.setLatency('createSnapshot', 0);
    await server.restart();
    await until(
      'the failover to be taken over',
      async () => (await failoverStatus(jobId)).workflow_status === 'paused',
    );
    const workflowJobId = (await failoverStatus(jobId)).workflow_job_id;

    const page = await openPage();
    await page.goto(`${server.url}/vms?ctx=${contextId}`);
    const attention = panel(page).getByTestId('job-attention');
    await attention.getByText('Paused: waiting for your decision').waitFor({ timeout: 30_000 });
    const reason = /stopped at step "snapshot volumes".*Resume to continue or compensate to undo/;
    assert.match(await attention.innerText(), reason);
    assert.equal(await panel(page).getByTestId('tracker-job-status').innerText(), 'paused');
    // Nothing else may act on the VM beside the paused failover (its context status is unchanged until it ends).
    for (const label of ['Replicate now', 'Remove from management', 'Live failover', 'Test failover'])
      assert.equal(await panel(page).getByRole('button', { name: label }).count(), 0, `no ${label} while paused`);
    await panel(page).getByText(`The live failover of ${VM} is paused: it holds this VM`).waitFor();
    // The VM table's failover column says so too, not "ready".
    const row = page.getByRole('table', { name: 'Virtual machines' }).getByRole('row', { name: new RegExp(VM) });
    await row.getByText('live failover running').waitFor();
    await page.waitForFunction(() => document.getAnimations().every((a) => a.playState === 'finished'));
    await screenshot(page, 'failover-paused-after-kill');

    // The job page says the same, with the same actions.
    await page.goto(`${server.url}/jobs/${workflowJobId}`);
    const onJobPage = page.getByTestId('job-attention');
    await onJobPage.getByText('Paused: waiting for your decision').waitFor({ timeout: 30_000 });
    assert.match(await onJobPage.innerText(), reason);
    for (const label of ['Resume', 'Undo what was done'])
      assert.equal(await onJobPage.getByRole('button', { name: label, exact: true }).count(), 1, label);

    // Undo from the VM panel, keyboard only: Enter on the action, Enter on the dialog's focused confirm button.
    await page.goto(`${server.url}/vms?ctx=${contextId}`);
    const undo = panel(page).getByTestId('job-attention').getByRole('button', { name: 'Undo what was done' });
    await undo.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: `Undo what was done: job ${workflowJobId}` });
    await dialog.getByText(/Undoes the steps that completed/).waitFor({ timeout: 10_000 });
    await page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'detached', timeout: 10_000 });

    const ended = panel(page).getByTestId('job-attention');
    await ended.getByText('Failed, and everything it did was undone').waitFor({ timeout: 60_000 });
    assert.match(
      await ended.innerText(),
      /Undone on the operator's decision; it was paused: Server kill9-server stopped at step "snapshot volumes"/,
      'the reason stays with the job',
    );
    assert.equal(await panel(page).getByTestId('tracker-job-status').innerText(), 'compensated');
    await panel(page).getByRole('button', { name: 'Live failover' }).waitFor({ timeout: 30_000 });
    await panel(page).getByRole('button', { name: 'Replicate now' }).waitFor();

    const context = await server.api<{ current_status: string; power_state: string | null }>(
      'GET',
      `/api/v1/vm-contexts/${contextId}`,
    );
    assert.equal(context.body.current_status, 'ready_for_failover');
    assert.equal(server.vcenter.listVms().find((v) => v.name === VM)?.powerState, 'poweredOn', 'the source is on');
    const inventoryNow = server.cloudstack.inventory();
    assert.deepEqual(
      inventoryNow.vms.filter((v) => !v.isServer).map((v) => v.name),
      [],
      'no target VM',
    );
    assert.deepEqual(
      inventoryNow.snapshots.map((s) => s.name),
      [],
      'no snapshot',
    );
    for (const volume of inventoryNow.volumes.filter((v) => v.type !== 'ROOT'))
      assert.equal(volume.vmId, inventoryNow.serverVmId, `volume ${volume.name} is back on the server`);
  });

  test('the console stayed empty', { timeout: 5_000 }, () => {
    assert.deepEqual(
      watches.flatMap((w) => w.errors),
      [],
    );
    assert.deepEqual(
      watches.flatMap((w) => [...w.missingApis]),
      [],
    );
  });
});
