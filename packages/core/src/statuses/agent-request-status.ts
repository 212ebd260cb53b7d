// agent_requests: a short agent request relayed through the database to the server that holds the agent
// (docs/scale-out.md). The asking server waits for a final status; a request nobody answered by its deadline fails.
import { defineStatusSet } from './status-set';

export const agentRequestStatuses = defineStatusSet(
  'agent request',
  {
    pending: { kind: 'waiting', next: ['claimed', 'failed'] },
    claimed: { kind: 'active', next: ['succeeded', 'failed'] },
    succeeded: { kind: 'succeeded', next: [] },
    failed: { kind: 'failed', next: [] },
  },
  { initial: ['pending'] },
);
export type AgentRequestStatus = (typeof agentRequestStatuses.values)[number];
