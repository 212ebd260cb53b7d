// Liveness for load balancers and the CLI: the database answers, and how long this process has run.
import { VERSION, type Clock } from '@migratekit/core';
import type { DatabaseEngine, Repositories } from '@migratekit/db';

export interface HealthDeps {
  repositories: Pick<Repositories, 'users'>;
  clock: Clock;
  engine: DatabaseEngine;
  startedAt: Date;
  logger: { error(fields: Record<string, unknown>, message: string): void };
}

export interface HealthReport {
  status: 'ok' | 'unavailable';
  version: string;
  database: DatabaseEngine;
  uptime_seconds: number;
}

export class HealthService {
  constructor(private readonly deps: HealthDeps) {}

  async check(): Promise<HealthReport> {
    let status: HealthReport['status'] = 'ok';
    try {
      await this.deps.repositories.users.count();
    } catch (error) {
      this.deps.logger.error({ err: error }, 'health check: database unreachable');
      status = 'unavailable';
    }
    const uptime = Math.max(0, Math.floor((this.deps.clock.now().getTime() - this.deps.startedAt.getTime()) / 1000));
    return { status, version: VERSION, database: this.deps.engine, uptime_seconds: uptime };
  }
}
