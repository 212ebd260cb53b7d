// Who decided what: logins, user and token changes, credential and CloudStack configuration changes, and
// (from later work) every failover, rollback and cleanup decision with its options. Details never hold
// secrets: callers pass field names that changed, not their values.
import { newId } from '@migratekit/core';
import type { AuditEventRow, AuditFilter, AuditRepository } from '@migratekit/db';
import type { Principal } from '../security/roles';

export interface AuditServiceDeps {
  audit: AuditRepository;
}

export interface AuditEntry {
  /** The principal, or a system actor name such as 'system' or 'login:<username>'. */
  actor: Principal | string;
  action: string;
  targetType?: string;
  targetId?: string;
  vmContextId?: string;
  details?: Record<string, unknown>;
  outcome?: 'success' | 'failure';
  requestId?: string;
}

/** Who is acting in a request, passed from routes to services that audit. */
export interface AuditContext {
  principal: Principal;
  requestId?: string;
}

export interface AuditEventView {
  id: string;
  actor: string;
  actor_user_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  vm_context_id: string | null;
  details: Record<string, unknown> | null;
  outcome: string | null;
  request_id: string | null;
  created_at: string;
}

export class AuditService {
  constructor(private readonly deps: AuditServiceDeps) {}

  async record(entry: AuditEntry): Promise<void> {
    const actor = typeof entry.actor === 'string' ? entry.actor : entry.actor.username;
    await this.deps.audit.insert({
      id: newId('aud'),
      actor,
      actor_user_id: typeof entry.actor === 'string' ? null : entry.actor.userId,
      action: entry.action,
      target_type: entry.targetType ?? null,
      target_id: entry.targetId ?? null,
      vm_context_id: entry.vmContextId ?? null,
      details: entry.details === undefined ? null : JSON.stringify(entry.details),
      outcome: entry.outcome ?? 'success',
      request_id: entry.requestId ?? null,
    });
  }

  async list(filter: AuditFilter): Promise<{ items: AuditEventView[]; total: number }> {
    const { items, total } = await this.deps.audit.list(filter);
    return { items: items.map(toView), total };
  }
}

function toView(row: AuditEventRow): AuditEventView {
  return {
    id: row.id,
    actor: row.actor,
    actor_user_id: row.actor_user_id,
    action: row.action,
    target_type: row.target_type,
    target_id: row.target_id,
    vm_context_id: row.vm_context_id,
    details: row.details === null ? null : (JSON.parse(row.details) as Record<string, unknown>),
    outcome: row.outcome,
    request_id: row.request_id,
    created_at: row.created_at.toISOString(),
  };
}
