import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { api } from '../../api/client';
import type { CloudStackConfig, DiscoveredResources } from '../../api/models';
import { useIsAdmin } from '../../auth/session';
import { Button, Card, ErrorState, InlineError, Loading, SelectField, TextField } from '../../components/ui';

interface Draft {
  name: string;
  api_url: string;
  api_key: string;
  secret_key: string;
  zone_id: string;
  domain_id: string;
  template_id: string;
  service_offering_id: string;
  disk_offering_id: string;
  server_vm_id: string;
  default_network_id: string;
}

const EMPTY: Draft = {
  name: 'default',
  api_url: '',
  api_key: '',
  secret_key: '',
  zone_id: '',
  domain_id: '',
  template_id: '',
  service_offering_id: '',
  disk_offering_id: '',
  server_vm_id: '',
  default_network_id: '',
};

function fromConfig(c: CloudStackConfig): Draft {
  return {
    name: c.name,
    api_url: c.api_url,
    api_key: c.api_key ?? '',
    secret_key: '',
    zone_id: c.zone_id ?? '',
    domain_id: c.domain_id ?? '',
    template_id: c.template_id ?? '',
    service_offering_id: c.service_offering_id ?? '',
    disk_offering_id: c.disk_offering_id ?? '',
    server_vm_id: c.server_vm_id ?? '',
    default_network_id: c.default_network_id ?? '',
  };
}

// The resource lists of a discovery: each entry has at least an id and a name.
type ResourceList = 'zones' | 'domains' | 'templates' | 'service_offerings' | 'disk_offerings' | 'networks';
type NamedResource = { id: string; name: string };

/** The dropdowns filled by "discover resources": which draft field each sets and where its choices come from. */
const RESOURCE_FIELDS: Array<{ label: string; field: keyof Draft; resource: ResourceList }> = [
  { label: 'Zone', field: 'zone_id', resource: 'zones' },
  { label: 'Domain', field: 'domain_id', resource: 'domains' },
  { label: 'Placeholder template', field: 'template_id', resource: 'templates' },
  { label: 'Service offering', field: 'service_offering_id', resource: 'service_offerings' },
  { label: 'Disk offering', field: 'disk_offering_id', resource: 'disk_offerings' },
  { label: 'Default network (fallback)', field: 'default_network_id', resource: 'networks' },
];

function pick(list: NamedResource[] | undefined): string {
  if (list === undefined) return 'Discover resources to choose';
  return list.length === 0 ? 'None found in CloudStack' : `Choose one of ${list.length}`;
}

function options(list: NamedResource[] | undefined, current: string) {
  const opts = (list ?? []).map((r) => ({ value: r.id, label: r.name }));
  // Keep the stored id selectable before resources are discovered, so saving does not clear it.
  if (current && !opts.some((o) => o.value === current)) opts.unshift({ value: current, label: current });
  return opts;
}

export function CloudStackTab() {
  const isAdmin = useIsAdmin();
  const qc = useQueryClient();
  const config = useQuery({
    queryKey: ['cloudstack-config'],
    // The list answers 200 even when nothing is configured yet (the single-config GET would be a 404).
    queryFn: async () => (await api.ops.getCloudstackConfigs()).items.find((c) => c.is_active) ?? null,
  });
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [resources, setResources] = useState<DiscoveredResources | null>(null);
  const [testMessage, setTestMessage] = useState<{ ok: boolean; text: string } | null>(null);
  useEffect(() => {
    if (config.data) setDraft(fromConfig(config.data));
  }, [config.data]);

  // Typed keys are tested as typed; without a new secret the stored configuration is used.
  const target = () =>
    draft.secret_key
      ? { api_url: draft.api_url, api_key: draft.api_key, secret_key: draft.secret_key }
      : config.data
        ? { config_id: config.data.id }
        : { api_url: draft.api_url, api_key: draft.api_key };
  const test = useMutation({
    mutationFn: () => api.ops.postCloudstackConfigTest({ body: target() }),
    // A CloudStack that answers badly is a test result (ok false with a distinct code), not a failed request.
    onSuccess: (r) =>
      setTestMessage(
        r.ok
          ? { ok: true, text: `Connected to ${r.api_url}: ${r.zones} zone(s) visible, ${r.elapsed_ms} ms` }
          : { ok: false, text: `${r.error.message} (${r.error.code})` },
      ),
    onMutate: () => setTestMessage(null),
  });
  const discover = useMutation({
    mutationFn: (): Promise<DiscoveredResources> =>
      api.ops.postCloudstackDiscoverResources({
        body: { ...target(), ...(draft.zone_id ? { zone_id: draft.zone_id } : {}) },
      }),
    onSuccess: (r) => setResources(r),
  });
  const save = useMutation({
    mutationFn: () => {
      // Empty ids are sent as null (cleared); an empty secret is left out so the stored one is kept.
      const id = (v: string) => (v === '' ? null : v);
      const body = {
        name: draft.name,
        api_url: draft.api_url,
        api_key: draft.api_key,
        zone_id: id(draft.zone_id),
        domain_id: id(draft.domain_id),
        template_id: id(draft.template_id),
        service_offering_id: id(draft.service_offering_id),
        disk_offering_id: id(draft.disk_offering_id),
        server_vm_id: id(draft.server_vm_id),
        default_network_id: id(draft.default_network_id),
      };
      return config.data
        ? api.ops.putCloudstackConfig({ body: draft.secret_key ? { ...body, secret_key: draft.secret_key } : body })
        : api.ops.postCloudstackConfig({ body: { ...body, secret_key: draft.secret_key } });
    },
    onSuccess: () => qc.invalidateQueries({ queryKey: ['cloudstack-config'] }),
  });
  const set = (k: keyof Draft) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [k]: e.target.value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };

  if (config.isPending) return <Loading what="the CloudStack configuration" />;
  if (config.isError)
    return (
      <ErrorState error={config.error} what="the CloudStack configuration" onRetry={() => void config.refetch()} />
    );
  const disabled = !isAdmin;
  return (
    <Card title="CloudStack connection">
      <form onSubmit={submit} aria-label="CloudStack configuration" className="max-w-3xl space-y-3">
        <div className="grid grid-cols-2 gap-2.5">
          <TextField label="Name" required value={draft.name} onChange={set('name')} disabled={disabled} />
          <TextField
            label="API endpoint (host:port)"
            required
            value={draft.api_url}
            onChange={set('api_url')}
            placeholder="cloudstack.example.com:8080"
            hint="/client/api is added"
            disabled={disabled}
          />
          <TextField
            label="API key"
            required
            value={draft.api_key}
            onChange={set('api_key')}
            autoComplete="off"
            disabled={disabled}
          />
          <TextField
            label="Secret key"
            type="password"
            required={!config.data}
            value={draft.secret_key}
            onChange={set('secret_key')}
            autoComplete="new-password"
            hint={config.data ? 'Leave empty to keep the stored secret.' : 'Encrypted at rest, never shown again.'}
            disabled={disabled}
          />
        </div>
        {isAdmin ? (
          <div className="flex flex-wrap items-center gap-2">
            <Button onClick={() => test.mutate()} disabled={!draft.api_url || test.isPending}>
              {test.isPending ? 'Testing...' : 'Test connection'}
            </Button>
            <Button onClick={() => discover.mutate()} disabled={!draft.api_url || discover.isPending}>
              {discover.isPending ? 'Discovering...' : 'Discover resources'}
            </Button>
            {testMessage ? (
              <span
                role="status"
                className={`text-xs ${testMessage.ok ? 'text-emerald-700 dark:text-emerald-400' : 'text-red-700 dark:text-red-400'}`}
              >
                {testMessage.text}
              </span>
            ) : null}
          </div>
        ) : null}
        <InlineError error={test.error ?? discover.error} />
        <div className="grid grid-cols-2 gap-2.5">
          {RESOURCE_FIELDS.map(({ label, field, resource }) => (
            <SelectField
              key={field}
              label={label}
              value={draft[field]}
              onChange={set(field)}
              placeholder={pick(resources?.[resource])}
              options={options(resources?.[resource], draft[field])}
              disabled={disabled}
            />
          ))}
          <TextField
            label="This server's VM id (volumes attach here)"
            value={draft.server_vm_id}
            onChange={set('server_vm_id')}
            placeholder="CloudStack VM uuid of this appliance"
            disabled={disabled}
          />
        </div>
        <InlineError error={save.error} />
        {isAdmin ? (
          <div className="flex items-center gap-2">
            <Button type="submit" variant="primary" disabled={save.isPending}>
              {save.isPending ? 'Saving...' : 'Save configuration'}
            </Button>
            {save.isSuccess ? (
              <span role="status" className="text-xs text-emerald-700 dark:text-emerald-400">
                Saved
              </span>
            ) : null}
          </div>
        ) : null}
      </form>
    </Card>
  );
}
