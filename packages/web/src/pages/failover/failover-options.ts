// What each failover option means, in one sentence, for the pre-flight modal (docs/failover.md). The options and
// their defaults come from the API (preflight config); this only explains them and says how to edit them.
export type FailoverType = 'test' | 'live';

export interface OptionSpec {
  label: string;
  /** One sentence: what the option does and what it costs. */
  means: string;
  control: 'checkbox' | 'seconds' | 'minutes' | 'offering' | 'text';
  /** Options that only apply to one type are not shown for the other. */
  only?: FailoverType;
}

export const OPTION_SPECS: Record<string, OptionSpec> = {
  final_sync: {
    label: 'Final sync after power-off',
    means:
      'After the source is powered off, copy the writes since the last sync so the target starts with every change; without it the target loses them.',
    control: 'checkbox',
    only: 'live',
  },
  keep_mac: {
    label: 'Keep MAC addresses',
    means:
      'Give each target NIC its source MAC address (DHCP reservations and MAC-bound licences keep working); on a network the source also uses, the MACs would clash.',
    control: 'checkbox',
  },
  shutdown_timeout_ms: {
    label: 'Power-off timeout (seconds)',
    means:
      'How long the guest may take to shut down cleanly before it is powered off hard (a hard power-off can lose writes the guest had not flushed).',
    control: 'seconds',
    only: 'live',
  },
  max_sync_age_ms: {
    label: 'Oldest acceptable last sync (minutes)',
    means: 'Refuse to start when the last successful sync is older than this; empty accepts a sync of any age.',
    control: 'minutes',
  },
  service_offering_id: {
    label: 'Service offering',
    means: "CPU and memory of the target VM; the default sizes it from the source VM's vCPUs and memory.",
    control: 'offering',
  },
  template_id: {
    label: 'Placeholder template id',
    means:
      'The template CloudStack needs to create the VM; its root disk is replaced by the migrated one. Empty: the configured template.',
    control: 'text',
  },
  skip_conversion: {
    label: 'Skip guest conversion',
    means:
      'Do not install VirtIO drivers or rebuild the initramfs; only for guests already prepared for KVM, others may not boot.',
    control: 'checkbox',
  },
  strict_network_mapping: {
    label: 'Strict network mapping',
    means:
      'Refuse to start when a NIC has no mapping of this kind, instead of putting it on the default network with a warning.',
    control: 'checkbox',
  },
};

/** What a converter failure does; fixed per type by the product (not an option). */
export const CONVERTER_FAILURE: Record<FailoverType, string> = {
  test: 'A guest conversion failure stops the test failover and undoes every step.',
  live: 'A guest conversion failure is a warning: the live failover goes on and the VM may need drivers fixed by hand.',
};

export function formatDefault(key: string, value: unknown): string {
  if (value === null || value === undefined || value === '')
    return key === 'service_offering_id' ? 'sized from the source' : 'none';
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  if (typeof value === 'number' && key.endsWith('_ms'))
    return OPTION_SPECS[key]?.control === 'minutes' ? `${value / 60_000} min` : `${value / 1000} s`;
  return typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value);
}
