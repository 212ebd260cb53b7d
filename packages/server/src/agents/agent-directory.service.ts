// The paired agents with their live state: `online` while the hub holds the agent's control channel.
import type { Repositories } from '@migratekit/db';
import type { AgentHub } from './agent-hub';

export interface AgentDirectoryDeps {
  repositories: Pick<Repositories, 'agents'>;
  hub: Pick<AgentHub, 'isConnected'>;
}

export type AgentState = 'online' | 'paired' | 'offline';

export class AgentDirectoryService {
  constructor(private readonly deps: AgentDirectoryDeps) {}

  async list() {
    const rows = await this.deps.repositories.agents.list();
    return rows.map((agent) => {
      const connected = this.deps.hub.isConnected(agent.id);
      const status: AgentState = connected ? 'online' : agent.status === 'paired' ? 'paired' : 'offline';
      return { ...agent, status, connected };
    });
  }
}
