// `npm run load` at a tiny scale on PostgreSQL; what it asserts and what it only reports: load-smoke.ts.
import { test } from 'node:test';
import { skipUnlessPeer } from '@migratekit/core';
import { assertSmoke, runSmoke } from './load-smoke';

const skip = skipUnlessPeer('postgres (MIGRATEKIT_TEST_PG_URL)', Boolean(process.env.MIGRATEKIT_TEST_PG_URL));

test(
  'load harness, tiny scale, PostgreSQL: runs, no job twice or lost, scheduler and jobs taken over after SIGKILL',
  { timeout: 540_000, skip },
  async () => {
    assertSmoke(await runSmoke('postgres'));
  },
);
