// `npm run load` at a tiny scale on MariaDB; what it asserts and what it only reports: load-smoke.ts.
import { test } from 'node:test';
import { skipUnlessPeer } from '@migratekit/core';
import { assertSmoke, runSmoke } from './load-smoke';

const skip = skipUnlessPeer('mariadb (MIGRATEKIT_TEST_MARIADB_URL)', Boolean(process.env.MIGRATEKIT_TEST_MARIADB_URL));

test(
  'load harness, tiny scale, MariaDB: runs, no job twice or lost, scheduler and jobs taken over after SIGKILL',
  { timeout: 540_000, skip },
  async () => {
    assertSmoke(await runSmoke('mariadb'));
  },
);
