// Every table of docs/model.md#tables, plus sessions and agent pairing tokens. VM-related tables cascade from
// vm_replication_contexts so deleting a context removes everything that belongs to it.
import { sql, type CreateTableBuilder, type Migration } from 'kysely';
import { addAutoIncrementId, columnTypes, engineOf, type MigrationDb } from './column-types';

type Table = CreateTableBuilder<string, string>;

export const initialSchema: Migration = {
  async up(db: MigrationDb): Promise<void> {
    const engine = engineOf(db);
    const t = columnTypes(engine);
    // MariaDB: InnoDB for foreign keys; binary collation so uniqueness and comparisons match PostgreSQL/SQLite.
    const create = (name: string): Table => {
      const table = db.schema.createTable(name);
      return engine === 'mysql'
        ? table.modifyEnd(sql`engine=InnoDB default charset=utf8mb4 collate=utf8mb4_bin`)
        : table;
    };
    const cascadeToContext = (table: Table, name: string): Table =>
      table.addForeignKeyConstraint(
        `fk_${name}_context`,
        ['vm_context_id'],
        'vm_replication_contexts',
        ['context_id'],
        (fk) => fk.onDelete('cascade'),
      );
    const index = async (table: string, columns: string[], unique = false): Promise<void> => {
      const builder = db.schema.createIndex(`${unique ? 'uq' : 'ix'}_${table}_${columns.join('_')}`).on(table);
      await (unique ? builder.unique() : builder).columns(columns).execute();
    };

    await create('vm_replication_contexts')
      .addColumn('context_id', t.id, (c) => c.primaryKey())
      .addColumn('vm_name', t.name, (c) => c.notNull())
      .addColumn('vmware_vm_id', t.id, (c) => c.notNull())
      .addColumn('active_vmware_vm_id', t.id, (c) => c.unique())
      .addColumn('vm_path', t.text)
      .addColumn('vcenter_host', t.name)
      .addColumn('datacenter', t.name)
      .addColumn('credential_id', t.id)
      .addColumn('cloudstack_config_id', t.id)
      .addColumn('current_status', t.short, (c) => c.notNull())
      .addColumn('current_job_id', t.id)
      .addColumn('total_jobs_run', t.integer, (c) => c.notNull().defaultTo(0))
      .addColumn('successful_jobs', t.integer, (c) => c.notNull().defaultTo(0))
      .addColumn('failed_jobs', t.integer, (c) => c.notNull().defaultTo(0))
      .addColumn('last_successful_job_id', t.id)
      .addColumn('cpu_count', t.integer)
      .addColumn('memory_mb', t.integer)
      .addColumn('os_type', t.name)
      .addColumn('firmware', t.short)
      .addColumn('power_state', t.short)
      .addColumn('vm_tools_status', t.short)
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .addColumn('first_job_at', t.timestamp)
      .addColumn('last_job_at', t.timestamp)
      .addColumn('last_status_change', t.timestamp, (c) => c.notNull())
      .execute();
    await index('vm_replication_contexts', ['current_status']);
    await index('vm_replication_contexts', ['vmware_vm_id']);
    await index('vm_replication_contexts', ['vm_name']);

    await cascadeToContext(
      create('replication_jobs')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('vm_context_id', t.id, (c) => c.notNull())
        .addColumn('replication_type', t.short, (c) => c.notNull())
        .addColumn('status', t.short, (c) => c.notNull())
        .addColumn('current_operation', t.name)
        .addColumn('progress_percent', t.double, (c) => c.notNull().defaultTo(0))
        .addColumn('bytes_transferred', t.bigint, (c) => c.notNull().defaultTo(0))
        .addColumn('total_bytes', t.bigint)
        .addColumn('throughput_current_bps', t.double)
        .addColumn('throughput_avg_bps', t.double)
        .addColumn('throughput_peak_bps', t.double)
        .addColumn('eta_seconds', t.integer)
        .addColumn('sync_type', t.short)
        .addColumn('error_message', t.text)
        .addColumn('error_classification', t.short)
        .addColumn('snapshot_id', t.name)
        .addColumn('schedule_execution_id', t.id)
        .addColumn('vm_group_id', t.id)
        .addColumn('scheduled_by', t.name)
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .addColumn('started_at', t.timestamp)
        .addColumn('completed_at', t.timestamp)
        .addColumn('last_progress_at', t.timestamp),
      'replication_jobs',
    ).execute();
    await index('replication_jobs', ['vm_context_id', 'status']);
    await index('replication_jobs', ['status']);
    await index('replication_jobs', ['schedule_execution_id']);

    await cascadeToContext(
      create('vm_disks')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('vm_context_id', t.id, (c) => c.notNull())
        .addColumn('job_id', t.id)
        .addColumn('disk_id', t.short, (c) => c.notNull())
        .addColumn('label', t.name)
        .addColumn('vmdk_path', t.text)
        .addColumn('datastore', t.name)
        .addColumn('capacity_bytes', t.bigint, (c) => c.notNull())
        .addColumn('provisioning', t.short)
        .addColumn('controller', t.short)
        .addColumn('unit_number', t.integer)
        .addColumn('cloudstack_volume_id', t.id)
        .addColumn('disk_change_id', t.name)
        .addColumn('sync_status', t.short, (c) => c.notNull())
        .addColumn('bytes_synced', t.bigint, (c) => c.notNull().defaultTo(0))
        .addColumn('cpu_count', t.integer)
        .addColumn('memory_mb', t.integer)
        .addColumn('os_type', t.name)
        .addColumn('firmware', t.short)
        .addColumn('nics', t.json)
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull()),
      'vm_disks',
    ).execute();
    await index('vm_disks', ['vm_context_id', 'disk_id']);
    await index('vm_disks', ['job_id']);

    await cascadeToContext(
      create('cloudstack_volumes')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('vm_context_id', t.id, (c) => c.notNull())
        .addColumn('volume_id', t.id, (c) => c.notNull().unique())
        .addColumn('name', t.name, (c) => c.notNull())
        .addColumn('disk_id', t.short)
        .addColumn('size_bytes', t.bigint, (c) => c.notNull())
        .addColumn('device_id', t.integer)
        .addColumn('attached_vm_id', t.id)
        .addColumn('mode', t.short, (c) => c.notNull())
        .addColumn('snapshot_id', t.id)
        .addColumn('snapshot_status', t.short)
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull()),
      'cloudstack_volumes',
    ).execute();
    await index('cloudstack_volumes', ['vm_context_id']);

    await cascadeToContext(
      create('device_mappings')
        .addColumn('volume_id', t.id, (c) => c.primaryKey())
        .addColumn('vm_context_id', t.id)
        .addColumn('vm_id', t.id)
        .addColumn('linux_device_path', t.name)
        .addColumn('persistent_device_name', t.name)
        .addColumn('symlink_path', t.name)
        .addColumn('size', t.bigint)
        .addColumn('cloudstack_state', t.short)
        .addColumn('linux_state', t.short)
        .addColumn('last_sync', t.timestamp)
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull()),
      'device_mappings',
    ).execute();
    await index('device_mappings', ['vm_context_id']);
    await index('device_mappings', ['vm_id']);

    await cascadeToContext(
      create('volume_operations')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('vm_context_id', t.id)
        .addColumn('type', t.short, (c) => c.notNull())
        .addColumn('status', t.short, (c) => c.notNull())
        .addColumn('volume_id', t.id)
        .addColumn('vm_id', t.id)
        .addColumn('request', t.json)
        .addColumn('response', t.json)
        .addColumn('error', t.text)
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .addColumn('completed_at', t.timestamp),
      'volume_operations',
    ).execute();
    await index('volume_operations', ['volume_id']);
    await index('volume_operations', ['status']);
    await index('volume_operations', ['vm_context_id']);

    await cascadeToContext(
      create('nbd_exports')
        .addColumn('export_name', t.name, (c) => c.primaryKey())
        .addColumn('vm_context_id', t.id)
        .addColumn('volume_id', t.id, (c) => c.notNull())
        .addColumn('device_path', t.name, (c) => c.notNull())
        .addColumn('status', t.short, (c) => c.notNull())
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull()),
      'nbd_exports',
    ).execute();
    await index('nbd_exports', ['volume_id']);
    await index('nbd_exports', ['vm_context_id']);

    await cascadeToContext(
      create('network_mappings')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('vm_context_id', t.id, (c) => c.notNull())
        .addColumn('source_network_name', t.name, (c) => c.notNull())
        .addColumn('destination_network_id', t.id, (c) => c.notNull())
        .addColumn('destination_network_name', t.name)
        .addColumn('is_test_network', t.boolean, (c) => c.notNull())
        .addColumn('validation_status', t.short, (c) => c.notNull())
        .addColumn('last_validated', t.timestamp)
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .addUniqueConstraint('uq_network_mappings_dual', ['vm_context_id', 'source_network_name', 'is_test_network']),
      'network_mappings',
    ).execute();

    await cascadeToContext(
      create('failover_jobs')
        .addColumn('job_id', t.id, (c) => c.primaryKey())
        .addColumn('vm_context_id', t.id, (c) => c.notNull())
        .addColumn('replication_job_id', t.id)
        .addColumn('job_type', t.short, (c) => c.notNull())
        .addColumn('status', t.short, (c) => c.notNull())
        .addColumn('source_vm_name', t.name, (c) => c.notNull())
        .addColumn('source_vm_spec', t.json)
        .addColumn('destination_vm_id', t.id)
        .addColumn('volume_snapshots', t.json)
        .addColumn('network_mappings', t.json)
        .addColumn('options', t.json)
        .addColumn('error_message', t.text)
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .addColumn('completed_at', t.timestamp),
      'failover_jobs',
    ).execute();
    await index('failover_jobs', ['vm_context_id', 'status']);

    await cascadeToContext(
      create('job_tracking')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('external_job_id', t.name, (c) => c.notNull().unique())
        .addColumn('parent_job_id', t.id)
        .addColumn('vm_context_id', t.id)
        .addColumn('job_type', t.short, (c) => c.notNull())
        .addColumn('operation', t.name, (c) => c.notNull())
        .addColumn('status', t.short, (c) => c.notNull())
        .addColumn('owner', t.name)
        .addColumn('progress_percent', t.double, (c) => c.notNull().defaultTo(0))
        .addColumn('progress_explicit', t.boolean, (c) => c.notNull().defaultTo(false))
        .addColumn('total_steps', t.integer)
        .addColumn('completed_steps', t.integer, (c) => c.notNull().defaultTo(0))
        .addColumn('error_code', t.short)
        .addColumn('error_message', t.text)
        .addColumn('metadata', t.json)
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .addColumn('started_at', t.timestamp)
        .addColumn('completed_at', t.timestamp)
        .addForeignKeyConstraint('fk_job_tracking_parent', ['parent_job_id'], 'job_tracking', ['id'], (fk) =>
          fk.onDelete('cascade'),
        ),
      'job_tracking',
    ).execute();
    await index('job_tracking', ['status']);
    await index('job_tracking', ['vm_context_id', 'created_at']);
    await index('job_tracking', ['parent_job_id']);
    await index('job_tracking', ['created_at']);

    await create('job_steps')
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('job_id', t.id, (c) => c.notNull())
      .addColumn('step_order', t.integer, (c) => c.notNull())
      .addColumn('name', t.name, (c) => c.notNull())
      .addColumn('status', t.short, (c) => c.notNull())
      .addColumn('error_code', t.short)
      .addColumn('error_message', t.text)
      .addColumn('started_at', t.timestamp, (c) => c.notNull())
      .addColumn('completed_at', t.timestamp)
      .addUniqueConstraint('uq_job_steps_order', ['job_id', 'step_order'])
      .addForeignKeyConstraint('fk_job_steps_job', ['job_id'], 'job_tracking', ['id'], (fk) => fk.onDelete('cascade'))
      .execute();

    await addAutoIncrementId(create('log_events'), engine)
      .addColumn('job_id', t.id)
      .addColumn('step', t.name)
      .addColumn('level', t.short, (c) => c.notNull())
      .addColumn('message', t.text, (c) => c.notNull())
      .addColumn('fields', t.json)
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addForeignKeyConstraint('fk_log_events_job', ['job_id'], 'job_tracking', ['id'], (fk) => fk.onDelete('cascade'))
      .execute();
    await index('log_events', ['job_id', 'id']);
    await index('log_events', ['created_at']);

    await create('replication_schedules')
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('name', t.name, (c) => c.notNull().unique())
      .addColumn('description', t.text)
      .addColumn('cron_expression', t.name, (c) => c.notNull())
      .addColumn('timezone', t.short, (c) => c.notNull())
      .addColumn('enabled', t.boolean, (c) => c.notNull())
      .addColumn('replication_type', t.short, (c) => c.notNull())
      .addColumn('max_concurrent_jobs', t.integer, (c) => c.notNull())
      .addColumn('retry_attempts', t.integer, (c) => c.notNull())
      .addColumn('retry_delay', t.integer, (c) => c.notNull())
      .addColumn('skip_if_running', t.boolean, (c) => c.notNull())
      .addColumn('created_by', t.name)
      .addColumn('last_run_at', t.timestamp)
      .addColumn('next_run_at', t.timestamp)
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .execute();

    await create('vm_machine_groups')
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('name', t.name, (c) => c.notNull().unique())
      .addColumn('description', t.text)
      .addColumn('schedule_id', t.id)
      .addColumn('max_concurrent_vms', t.integer, (c) => c.notNull())
      .addColumn('priority', t.integer, (c) => c.notNull())
      .addColumn('created_by', t.name)
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .addForeignKeyConstraint(
        'fk_vm_machine_groups_schedule',
        ['schedule_id'],
        'replication_schedules',
        ['id'],
        (fk) => fk.onDelete('set null'),
      )
      .execute();
    await index('vm_machine_groups', ['schedule_id']);

    await cascadeToContext(
      create('vm_group_memberships')
        .addColumn('id', t.id, (c) => c.primaryKey())
        .addColumn('group_id', t.id, (c) => c.notNull())
        .addColumn('vm_context_id', t.id, (c) => c.notNull())
        .addColumn('enabled', t.boolean, (c) => c.notNull())
        .addColumn('priority', t.integer, (c) => c.notNull())
        .addColumn('schedule_override_id', t.id)
        .addColumn('created_at', t.timestamp, (c) => c.notNull())
        .addColumn('updated_at', t.timestamp, (c) => c.notNull())
        .addUniqueConstraint('uq_vm_group_memberships_member', ['group_id', 'vm_context_id'])
        .addForeignKeyConstraint('fk_vm_group_memberships_group', ['group_id'], 'vm_machine_groups', ['id'], (fk) =>
          fk.onDelete('cascade'),
        )
        .addForeignKeyConstraint(
          'fk_vm_group_memberships_override',
          ['schedule_override_id'],
          'replication_schedules',
          ['id'],
          (fk) => fk.onDelete('set null'),
        ),
      'vm_group_memberships',
    ).execute();
    await index('vm_group_memberships', ['vm_context_id']);

    await create('schedule_executions')
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('schedule_id', t.id)
      .addColumn('group_id', t.id)
      .addColumn('status', t.short, (c) => c.notNull())
      .addColumn('scheduled_at', t.timestamp, (c) => c.notNull())
      .addColumn('started_at', t.timestamp)
      .addColumn('completed_at', t.timestamp)
      .addColumn('vms_eligible', t.integer, (c) => c.notNull().defaultTo(0))
      .addColumn('jobs_created', t.integer, (c) => c.notNull().defaultTo(0))
      .addColumn('jobs_completed', t.integer, (c) => c.notNull().defaultTo(0))
      .addColumn('jobs_failed', t.integer, (c) => c.notNull().defaultTo(0))
      .addColumn('jobs_skipped', t.integer, (c) => c.notNull().defaultTo(0))
      .addColumn('details', t.json)
      .addColumn('error', t.text)
      .addColumn('triggered_by', t.name, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addForeignKeyConstraint(
        'fk_schedule_executions_schedule',
        ['schedule_id'],
        'replication_schedules',
        ['id'],
        (fk) => fk.onDelete('cascade'),
      )
      .addForeignKeyConstraint('fk_schedule_executions_group', ['group_id'], 'vm_machine_groups', ['id'], (fk) =>
        fk.onDelete('set null'),
      )
      .execute();
    await index('schedule_executions', ['schedule_id', 'scheduled_at']);
    await index('schedule_executions', ['group_id']);

    await create('vmware_credentials')
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('name', t.name, (c) => c.notNull().unique())
      .addColumn('vcenter_host', t.name, (c) => c.notNull())
      .addColumn('username', t.name, (c) => c.notNull())
      .addColumn('password', t.text, (c) => c.notNull())
      .addColumn('datacenter', t.name)
      .addColumn('is_active', t.boolean, (c) => c.notNull())
      .addColumn('is_default', t.boolean, (c) => c.notNull())
      .addColumn('last_used', t.timestamp)
      .addColumn('usage_count', t.integer, (c) => c.notNull().defaultTo(0))
      .addColumn('created_by', t.name)
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .execute();

    await create('cloudstack_configs')
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('name', t.name, (c) => c.notNull().unique())
      .addColumn('api_url', t.text, (c) => c.notNull())
      .addColumn('api_key', t.text, (c) => c.notNull())
      .addColumn('secret_key', t.text, (c) => c.notNull())
      .addColumn('zone_id', t.id)
      .addColumn('domain_id', t.id)
      .addColumn('template_id', t.id)
      .addColumn('service_offering_id', t.id)
      .addColumn('disk_offering_id', t.id)
      .addColumn('server_vm_id', t.id)
      .addColumn('default_network_id', t.id)
      .addColumn('is_active', t.boolean, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .execute();

    await create('agents')
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('name', t.name, (c) => c.notNull())
      .addColumn('status', t.short, (c) => c.notNull())
      .addColumn('version', t.short)
      .addColumn('last_seen', t.timestamp)
      .addColumn('certificate_fingerprint', t.name, (c) => c.unique())
      .addColumn('scope', t.json)
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .execute();

    await create('agent_pairing_tokens')
      .addColumn('token_hash', t.id, (c) => c.primaryKey())
      .addColumn('expires_at', t.timestamp, (c) => c.notNull())
      .addColumn('used_at', t.timestamp)
      .addColumn('agent_id', t.id)
      .addColumn('created_by', t.name)
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .execute();

    await create('users')
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('username', t.name, (c) => c.notNull().unique())
      .addColumn('password_hash', t.text, (c) => c.notNull())
      .addColumn('role', t.short, (c) => c.notNull())
      .addColumn('is_active', t.boolean, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('updated_at', t.timestamp, (c) => c.notNull())
      .addColumn('last_login_at', t.timestamp)
      .execute();

    await create('sessions')
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('user_id', t.id, (c) => c.notNull())
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('expires_at', t.timestamp, (c) => c.notNull())
      .addColumn('last_seen_at', t.timestamp, (c) => c.notNull())
      .addForeignKeyConstraint('fk_sessions_user', ['user_id'], 'users', ['id'], (fk) => fk.onDelete('cascade'))
      .execute();
    await index('sessions', ['user_id']);
    await index('sessions', ['expires_at']);

    await create('api_tokens')
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('user_id', t.id, (c) => c.notNull())
      .addColumn('name', t.name, (c) => c.notNull())
      .addColumn('token_hash', t.id, (c) => c.notNull().unique())
      .addColumn('token_prefix', t.short)
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .addColumn('expires_at', t.timestamp)
      .addColumn('last_used_at', t.timestamp)
      .addColumn('revoked_at', t.timestamp)
      .addForeignKeyConstraint('fk_api_tokens_user', ['user_id'], 'users', ['id'], (fk) => fk.onDelete('cascade'))
      .execute();
    await index('api_tokens', ['user_id']);

    await create('audit_events')
      .addColumn('id', t.id, (c) => c.primaryKey())
      .addColumn('actor', t.name, (c) => c.notNull())
      .addColumn('actor_user_id', t.id)
      .addColumn('action', t.name, (c) => c.notNull())
      .addColumn('target_type', t.short)
      .addColumn('target_id', t.name)
      .addColumn('vm_context_id', t.id)
      .addColumn('details', t.json)
      .addColumn('outcome', t.short)
      .addColumn('request_id', t.id)
      .addColumn('created_at', t.timestamp, (c) => c.notNull())
      .execute();
    await index('audit_events', ['created_at']);
    await index('audit_events', ['vm_context_id', 'created_at']);
    await index('audit_events', ['action']);
  },

  async down(db: MigrationDb): Promise<void> {
    // Children before parents so foreign keys never block the drop.
    const tables = [
      'audit_events',
      'api_tokens',
      'sessions',
      'users',
      'agent_pairing_tokens',
      'agents',
      'cloudstack_configs',
      'vmware_credentials',
      'schedule_executions',
      'vm_group_memberships',
      'vm_machine_groups',
      'replication_schedules',
      'log_events',
      'job_steps',
      'job_tracking',
      'failover_jobs',
      'network_mappings',
      'nbd_exports',
      'volume_operations',
      'device_mappings',
      'cloudstack_volumes',
      'vm_disks',
      'replication_jobs',
      'vm_replication_contexts',
    ];
    for (const table of tables) await db.schema.dropTable(table).ifExists().execute();
  },
};
