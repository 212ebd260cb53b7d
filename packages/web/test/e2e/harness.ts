// What the dashboard e2e needs around a test: the built dashboard, a real `migratekit dev` stack on a free port
// with a throwaway data dir, and Debian's Chromium driven by playwright-core (which never downloads a browser).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startDevStack } from '@migratekit/server/dev';
import type { DevStack } from '@migratekit/server/dev';
import type { InventorySpec } from '@migratekit/sim-vcenter';
import { chromium, errors } from 'playwright-core';
import type { BrowserContext, ConsoleMessage, Page } from 'playwright-core';
import { ensureWebBuilt } from '../../scripts/ensure-built';

const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);
// The README's pictures are refreshed on request (MIGRATEKIT_UPDATE_SCREENSHOTS=1); an ordinary test run still takes
// every screenshot, into a scratch directory, so `npm test` never dirties the committed images.
const SCREENSHOT_DIR =
  process.env.MIGRATEKIT_UPDATE_SCREENSHOTS === '1'
    ? resolve(import.meta.dirname, '..', '..', '..', '..', 'docs', 'screenshots')
    : join(tmpdir(), 'migratekit-screenshots');
export const ADMIN_PASSWORD = 'e2e-admin-password-1';

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Harness {
  stack: DevStack;
  url: string;
  /** API paths the server documents; a 404 from any other path is an API that does not exist yet. */
  documentedPaths: Set<string>;
  newBrowser(): Promise<BrowserContext>;
  close(): Promise<void>;
}

/** The API paths the server at `url` documents in its OpenAPI. */
export async function documentedPathsOf(url: string): Promise<Set<string>> {
  const doc = (await (await fetch(`${url}/api/openapi.json`)).json()) as { paths?: Record<string, unknown> };
  return new Set(Object.keys(doc.paths ?? {}));
}

/** Debian's Chromium on a throwaway profile; `close` ends it and removes the profile. */
export async function launchChromium(): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'migratekit-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1440, height: 900 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface SmallEstateVm {
  name: string;
  networks: readonly string[];
  /** Capacity in MiB and the bytes the simulator seeds, in KiB (what a first copy moves). */
  disks: ReadonlyArray<{ capacityMiB: number; seedKiB: number }>;
  cbtEnabled?: boolean;
}

/** The small vCenter estates the browser suites need: one datacenter, host and datastore, powered-on Linux VMs. */
export function smallEstate(datacenter: string, host: string, vms: readonly SmallEstateVm[]): InventorySpec {
  return {
    datacenters: [
      {
        name: datacenter,
        hosts: [{ name: host }],
        datastores: [{ name: 'DS-01', capacityGiB: 10 }],
        networks: [...new Set(vms.flatMap((vm) => vm.networks))].map((name) => ({ name })),
        vms: vms.map((vm) => ({
          name: vm.name,
          host,
          guest: 'linux' as const,
          guestId: 'ubuntu64Guest',
          guestFullName: 'Ubuntu Linux (64-bit)',
          powerState: 'poweredOn' as const,
          ...(vm.cbtEnabled === undefined ? {} : { cbtEnabled: vm.cbtEnabled }),
          disks: vm.disks.map((d) => ({
            capacityBytes: d.capacityMiB * 1024 * 1024,
            datastore: 'DS-01',
            seedBytes: d.seedKiB * 1024,
          })),
          nics: vm.networks.map((network) => ({ network })),
        })),
      },
    ],
  };
}

/** `inventory` replaces the demo vCenter estate (a test that needs particular VMs); `env` adds server settings. */
export async function startHarness(
  options: { inventory?: InventorySpec; env?: Record<string, string> } = {},
): Promise<Harness> {
  ensureWebBuilt();
  const dataDir = mkdtempSync(join(tmpdir(), 'migratekit-e2e-'));
  const stack = await startDevStack({
    env: {
      MIGRATEKIT_DATA_DIR: dataDir,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      MIGRATEKIT_ADMIN_PASSWORD: ADMIN_PASSWORD,
      ...options.env,
    },
    out: () => undefined,
    // The demo guests' disk writes would make the pages' numbers drift between assertions.
    guestWrites: false,
    ...(options.inventory === undefined ? {} : { inventory: options.inventory }),
  });
  const documentedPaths = await documentedPathsOf(stack.url);
  const browsers: Array<() => Promise<void>> = [];
  return {
    stack,
    url: stack.url,
    documentedPaths,
    async newBrowser() {
      const browser = await launchChromium();
      browsers.push(browser.close);
      return browser.context;
    },
    async close() {
      for (const close of browsers) await close();
      await stack.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

function pathTemplateMatches(template: string, path: string): boolean {
  const re = new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);
  return re.test(path);
}

/**
 * Collects every console error and uncaught exception, and apart from them every API path the page requested
 * that the server does not document (a feature whose API does not exist yet must not be fetched at all).
 */
export function watchConsole(page: Page, documentedPaths: Set<string>) {
  const errors: string[] = [];
  const missingApis = new Set<string>();
  page.on('console', (msg: ConsoleMessage) => {
    if (msg.type() === 'error') errors.push(`${msg.text()} (${msg.location().url})`);
  });
  page.on('request', (request) => {
    const path = new URL(request.url()).pathname;
    if (path.startsWith('/api/') && ![...documentedPaths].some((t) => pathTemplateMatches(t, path)))
      missingApis.add(`${request.method()} ${path}`);
  });
  page.on('pageerror', (err) => errors.push(`uncaught: ${err.message}`));
  return { errors, missingApis };
}

/** Every visible input, select and textarea must have a label (a <label for>, aria-label or aria-labelledby). */
export async function unlabelledFields(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    for (const el of document.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>(
      'input, select, textarea',
    )) {
      if (el instanceof HTMLInputElement && el.type === 'hidden') continue;
      const labelled =
        (el.labels?.length ?? 0) > 0 || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
      if (!labelled) out.push(el.outerHTML.slice(0, 120));
    }
    return out;
  });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // Let fonts and the first query settle so the picture shows the page, not a spinner. The live event stream
  // can keep the network busy, so running out of time here is expected; any other failure is not.
  await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch((error: unknown) => {
    if (!(error instanceof errors.TimeoutError)) throw error;
  });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`) });
}

export async function signIn(page: Page, url: string, username: string, password: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Virtual Machines' }).waitFor();
}
