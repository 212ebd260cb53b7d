// What the services over named, secret-holding settings rows (vCenter credentials, CloudStack configurations)
// share: not-found and duplicate-name errors worded for the kind of row, and the audit record of a change.
import { MigrateKitError } from '@migratekit/core';
import type { AuditContext, AuditService } from './audit.service';

export interface NamedRecordStore<R> {
  get(id: string): Promise<R | undefined>;
  getByName(name: string): Promise<R | undefined>;
}

export class NamedRecords<R> {
  /** `label` names the kind in messages (`VMware credential`); `targetType` is its audit target type. */
  constructor(
    private readonly store: NamedRecordStore<R>,
    private readonly audit: AuditService,
    private readonly label: string,
    private readonly targetType: string,
  ) {}

  async require(id: string): Promise<R> {
    const row = await this.store.get(id);
    if (row === undefined) throw this.notFound(id);
    return row;
  }

  notFound(id: string): MigrateKitError {
    return new MigrateKitError('MKE_NOT_FOUND', { message: `${this.label} ${id} not found` });
  }

  async assertNameFree(name: string): Promise<void> {
    if ((await this.store.getByName(name)) !== undefined) {
      throw new MigrateKitError('MKE_DUPLICATE', {
        message: `A ${this.label} named ${name} already exists`,
        field: 'body.name',
      });
    }
  }

  async record(ctx: AuditContext, action: string, targetId: string, details: Record<string, unknown>): Promise<void> {
    await this.audit.record({
      actor: ctx.principal,
      action,
      targetType: this.targetType,
      targetId,
      details,
      ...(ctx.requestId === undefined ? {} : { requestId: ctx.requestId }),
    });
  }
}
