// Peer tests (nbdkit, qemu-img, vcsim, govc, cs, PostgreSQL, MariaDB, Chromium) may skip on a developer
// machine that lacks the peer, but never in CI: MIGRATEKIT_REQUIRE_PEERS=1 turns a missing peer into a failure.

function peersRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.MIGRATEKIT_REQUIRE_PEERS === '1';
}

/**
 * For node:test's `skip` option: false when the peer is available, a reason string when it may be skipped.
 * Throws when peers are required, so the suite fails loudly instead of skipping silently.
 */
export function skipUnlessPeer(name: string, available: boolean, env: NodeJS.ProcessEnv = process.env): string | false {
  if (available) return false;
  if (peersRequired(env)) throw new Error(`peer ${name} is required (MIGRATEKIT_REQUIRE_PEERS=1) but is not available`);
  return `peer ${name} is not installed`;
}
