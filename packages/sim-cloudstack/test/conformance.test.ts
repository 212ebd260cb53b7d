import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { CloudStackClient } from '@migratekit/cloudstack';
import { COMMAND_TABLE, type CommandSpec } from '../src/command-table';
import { DEFAULT_SEED, DEFAULT_ZONE_ID } from '../src/default-seed';
import { API_KEY, SECRET_KEY, startFixture } from './sim-fixture';

// Everything the simulator declares must exist in a real CloudStack's listApis output, with the same async
// flag, parameter types and required flags; and everything it actually sends must be declared.

interface ListedField {
  name?: string;
  type?: string;
  required?: boolean;
  response?: ListedField[];
}
interface ListedApi {
  name: string;
  isasync: boolean;
  params: ListedField[];
  response: ListedField[];
}

// A real CloudStack's listApis output (4.22 era), kept in the repo so the test runs on any clone.
const listing = JSON.parse(readFileSync(new URL('./fixtures/cloudstack-listApis.json', import.meta.url), 'utf8')) as {
  api: ListedApi[];
};
const apis = new Map(listing.api.map((api) => [api.name, api]));
const table = COMMAND_TABLE as Record<string, CommandSpec>;

test(
  'every implemented command, parameter and response field exists in listApis with the same flags',
  { timeout: 120_000 },
  () => {
    assert.ok(Object.keys(table).length >= 24);
    for (const [command, spec] of Object.entries(table)) {
      const api = apis.get(command);
      assert.ok(api, `${command} is not a CloudStack command`);
      assert.equal(spec.isasync, api.isasync, `${command} async flag`);
      for (const [name, param] of Object.entries(spec.params)) {
        const listed: ListedField | undefined = api.params.find((p) => p.name === name);
        assert.ok(listed, `${command}: parameter ${name} does not exist`);
        assert.equal(param.type, listed.type, `${command}.${name} type`);
        assert.equal(param.required, listed.required, `${command}.${name} required flag`);
      }
      for (const required of api.params.filter((p) => p.required)) {
        assert.ok(
          required.name && required.name in spec.params,
          `${command}: required ${String(required.name)} not declared`,
        );
      }
      for (const field of spec.responseFields) {
        const [head = '', nested] = field.split('.');
        const listed = api.response.find((r) => r.name === head);
        assert.ok(listed, `${command}: response field ${head} does not exist`);
        if (nested !== undefined)
          assert.ok(
            listed.response?.some((r) => r.name === nested),
            `${command}: response field ${field} does not exist`,
          );
      }
    }
  },
);

interface Recorded {
  command: string;
  status: number;
  body: Record<string, unknown>;
}

function assertDeclared(command: string, object: unknown, where: string): void {
  const spec = table[command];
  assert.ok(spec);
  assert.ok(typeof object === 'object' && object !== null, `${where}: not an object`);
  for (const [key, value] of Object.entries(object)) {
    if (Array.isArray(value) && value.every((v) => typeof v === 'object')) {
      for (const item of value as Record<string, unknown>[])
        for (const nested of Object.keys(item))
          assert.ok(spec.responseFields.includes(`${key}.${nested}`), `${where}: undeclared ${key}.${nested}`);
    } else assert.ok(spec.responseFields.includes(key), `${where}: undeclared field ${key}`);
  }
}

test('every field the simulator sends during a full life cycle is declared', { timeout: 120_000 }, async () => {
  const fx = await startFixture();
  const recorded: Recorded[] = [];
  const client = new CloudStackClient({
    apiUrl: fx.sim.url,
    apiKey: API_KEY,
    secretKey: SECRET_KEY,
    jobs: { initialIntervalMs: 2, stepMs: 2, maxIntervalMs: 10, timeoutMs: 10_000 },
    fetch: async (url, init) => {
      const response = await fetch(url, init);
      const text = await response.clone().text();
      const query =
        init.method === 'GET' ? new URL(url).search.slice(1) : typeof init.body === 'string' ? init.body : '';
      const command = new URLSearchParams(query).get('command') ?? '';
      recorded.push({ command, status: response.status, body: JSON.parse(text) as Record<string, unknown> });
      return response;
    },
  });
  try {
    const net = (name: string) => String(DEFAULT_SEED.networks.find((n) => n.name === name)?.id);
    const disk = String(DEFAULT_SEED.diskOfferings.find((o) => o.iscustomized === true)?.id);
    await client.listZones();
    await client.listDomains();
    await client.listTemplates({ templatefilter: 'executable' });
    const [offering] = await client.listServiceOfferings();
    await client.listDiskOfferings();
    await client.listNetworks({ canusefordeploy: true });
    await client.listCapabilities();
    await client.listApis('attachVolume');
    const vm = await client.deployVirtualMachine({
      zoneid: DEFAULT_ZONE_ID,
      serviceofferingid: offering?.id ?? '',
      templateid: String(DEFAULT_SEED.templates[0]?.id),
      name: 'conformance-vm',
      iptonetworklist: [{ networkid: net('Prod-Web-VLAN100') }, { networkid: net('Lab-L2-Test') }],
      diskofferingid: disk,
      size: 1,
    });
    await client.listVirtualMachines({ id: vm.id });
    await client.rebootVirtualMachine(vm.id);
    const vmSnapshot = await client.createVMSnapshot({ virtualmachineid: vm.id, snapshotmemory: true });
    await client.listVMSnapshots({ virtualmachineid: vm.id });
    await client.revertToVMSnapshot(vmSnapshot.id);
    await client.deleteVMSnapshot(vmSnapshot.id);
    for (const command of ['listPublicIpAddresses', 'listPortForwardingRules', 'listIpForwardingRules'])
      await client.call(command, { listall: true });
    await client.stopVirtualMachine({ id: vm.id });
    await client.startVirtualMachine(vm.id);
    const volume = await client.createVolume({ zoneid: DEFAULT_ZONE_ID, diskofferingid: disk, size: 1 });
    await client.attachVolume({ id: volume.id, virtualmachineid: fx.sim.serverVmId });
    await client.resizeVolume({ id: volume.id, size: 2 });
    const snapshot = await client.createSnapshot({ volumeid: volume.id });
    await client.listSnapshots();
    await client.detachVolume({ id: volume.id });
    await client.revertSnapshot(snapshot.id);
    await client.deleteSnapshot(snapshot.id);
    await client.listVolumes();
    await client.deleteVolume(volume.id);
    await client.destroyVirtualMachine({ id: vm.id, expunge: true });
    await client.call('attachVolume', { id: volume.id }).catch(() => undefined);

    const jobCommands = new Map<string, string>();
    const seen = new Set<string>();
    for (const { command, body } of recorded) {
      const spec = table[command];
      assert.ok(spec, command);
      seen.add(command);
      const inner = body[`${command.toLowerCase()}response`] as Record<string, unknown>;
      assert.ok(inner, `${command}: wrapper ${command.toLowerCase()}response`);
      if (typeof inner.errorcode === 'number') {
        assert.deepEqual(Object.keys(inner).sort(), ['cserrorcode', 'errorcode', 'errortext', 'uuidList']);
        continue;
      }
      if (spec.isasync) {
        assert.deepEqual(
          Object.keys(inner).filter((k) => k !== 'jobid' && k !== 'id'),
          [],
          `${command} submit`,
        );
        jobCommands.set(String(inner.jobid), command);
      } else if (command === 'queryAsyncJobResult') {
        assertDeclared(command, inner, command);
        const origin = jobCommands.get(String(inner.jobid)) ?? '';
        const result = inner.jobresult as Record<string, unknown> | undefined;
        if (result && inner.jobstatus === 1) {
          const key = table[origin]?.responseKey;
          if (key) assertDeclared(origin, result[key], `${origin} job result`);
          else assertDeclared(origin, result, `${origin} job result`);
        }
      } else if (spec.responseKey) {
        const items = inner[spec.responseKey];
        assert.deepEqual(
          Object.keys(inner).filter((k) => k !== 'count' && k !== spec.responseKey),
          [],
          command,
        );
        // An empty list is {}: no count and no items.
        const list = items === undefined ? [] : Array.isArray(items) ? (items as unknown[]) : [items];
        for (const item of list) assertDeclared(command, item, command);
      } else assertDeclared(command, inner, command);
    }
    assert.deepEqual(
      Object.keys(table).filter((c) => !seen.has(c)),
      [],
      'the life cycle exercises every implemented command',
    );
  } finally {
    await fx.close();
  }
});
