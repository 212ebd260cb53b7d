// Agent failover (docs/scale-out.md#agents-and-scope): each server also records the SHA-256 fingerprint of its
// agent listener's certificate next to its agent_url, so the server an agent is connected to can tell it the
// other live servers and the agent can pin each one on its own.
import type { Migration } from 'kysely';
import { columnTypes, engineOf, type MigrationDb } from './column-types';

export const serverAgentFingerprint: Migration = {
  async up(db: MigrationDb): Promise<void> {
    const t = columnTypes(engineOf(db));
    await db.schema.alterTable('servers').addColumn('agent_fingerprint', t.name).execute();
  },

  async down(db: MigrationDb): Promise<void> {
    await db.schema.alterTable('servers').dropColumn('agent_fingerprint').execute();
  },
};
