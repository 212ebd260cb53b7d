import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_SEED, loadSeedFile } from '../src/default-seed';
import { startFixture } from './sim-fixture';

const seedFile = new URL('../seed/default-seed.json', import.meta.url).pathname;

test(
  'seed/default-seed.json is the built-in default seed (regenerate it when the seed changes)',
  { timeout: 120_000 },
  () => {
    assert.deepEqual(loadSeedFile(seedFile), DEFAULT_SEED);
  },
);

test(
  'a seed file replaces the catalogue: networks and the server VM come from the file',
  { timeout: 120_000 },
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mk-cs-seed-'));
    try {
      const network = { ...DEFAULT_SEED.networks[0], id: 'f0000001-0000-4000-8000-000000000001', name: 'Only-Net' };
      const seed = {
        ...DEFAULT_SEED,
        networks: [network],
        serverVm: {
          ...DEFAULT_SEED.serverVm,
          id: 'f0000002-0000-4000-8000-000000000002',
          networkid: network.id,
          name: 'oma',
        },
      };
      const file = join(dir, 'seed.json');
      await writeFile(file, JSON.stringify(seed));
      const fx = await startFixture({ seed: loadSeedFile(file), dir });
      try {
        assert.deepEqual(
          (await fx.client.listNetworks()).map((n) => n.name),
          ['Only-Net'],
        );
        assert.equal(fx.sim.serverVmId, 'f0000002-0000-4000-8000-000000000002');
        const [vm] = await fx.client.listVirtualMachines({ id: fx.sim.serverVmId });
        assert.equal(vm?.name, 'oma');
        assert.equal(vm?.state, 'Running');
      } finally {
        await fx.close();
      }
      await writeFile(file, JSON.stringify({ zones: [] }));
      assert.throws(() => loadSeedFile(file), /serverVm\.id is required/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  },
);
