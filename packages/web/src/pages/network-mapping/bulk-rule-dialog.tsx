// The bulk-rule dialog: "source network X -> production P and test T" for every managed VM that has X. Preview
// first (what each VM would get), then apply in one transaction.
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client';
import { Button, InlineError, Modal, SelectField } from '../../components/ui';
import { networkOptions, useAvailableNetworks, type BulkPreview } from './network-mapping.api';

export function BulkRuleDialog({ sourceNetworks, onClose }: { sourceNetworks: string[]; onClose: () => void }) {
  const queryClient = useQueryClient();
  const networks = useAvailableNetworks();
  const [source, setSource] = useState('');
  const [production, setProduction] = useState('');
  const [test, setTest] = useState('');
  const [preview, setPreview] = useState<BulkPreview | null>(null);
  const rule = () => ({
    source_network_name: source,
    ...(production ? { production_network_id: production } : {}),
    ...(test ? { test_network_id: test } : {}),
  });
  const previewRule = useMutation({
    mutationFn: () => api.ops.previewNetworkMappingBulkRule({ body: rule() }),
    onSuccess: setPreview,
  });
  const applyRule = useMutation({
    mutationFn: () => api.ops.applyNetworkMappingBulkRule({ body: rule() }),
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['network-mappings'] });
      onClose();
    },
  });
  const changed = (setter: (v: string) => void) => (value: string) => {
    setter(value);
    setPreview(null);
  };
  const ready = source !== '' && (production !== '' || test !== '');
  return (
    <Modal
      wide
      title="Bulk network rule"
      onClose={onClose}
      footer={
        <>
          <Button onClick={onClose}>Cancel</Button>
          <Button disabled={!ready || previewRule.isPending} onClick={() => previewRule.mutate()}>
            Preview
          </Button>
          <Button
            variant="primary"
            disabled={preview === null || applyRule.isPending || preview.creates + preview.replaces === 0}
            onClick={() => applyRule.mutate()}
          >
            {applyRule.isPending ? 'Applying...' : 'Apply rule'}
          </Button>
        </>
      }
    >
      <div className="grid grid-cols-3 gap-2">
        <SelectField
          label="VMware network"
          placeholder="Choose a source network"
          options={sourceNetworks.map((n) => ({ value: n, label: n }))}
          value={source}
          onChange={(e) => changed(setSource)(e.target.value)}
        />
        <SelectField
          label="Production network"
          placeholder="Leave unchanged"
          options={networkOptions(networks.data, 'production')}
          value={production}
          onChange={(e) => changed(setProduction)(e.target.value)}
        />
        <SelectField
          label="Test network"
          placeholder="Leave unchanged"
          options={networkOptions(networks.data, 'test')}
          value={test}
          onChange={(e) => changed(setTest)(e.target.value)}
        />
      </div>
      <InlineError error={networks.error ?? previewRule.error ?? applyRule.error} />
      {preview ? (
        <div>
          <p className="mb-1 text-xs" role="status">
            {preview.vms_matched} VMs have this network: {preview.creates} new, {preview.replaces} replaced,{' '}
            {preview.unchanged} unchanged.
          </p>
          <div className="max-h-64 overflow-auto">
            <table className="w-full text-xs" aria-label="Bulk rule preview">
              <thead className="text-left text-slate-500">
                <tr>
                  <th className="font-medium">VM</th>
                  <th className="font-medium">Kind</th>
                  <th className="font-medium">Change</th>
                  <th className="font-medium">To</th>
                </tr>
              </thead>
              <tbody>
                {preview.changes.map((c) => (
                  <tr key={`${c.context_id}-${c.kind}`}>
                    <td>{c.vm_name}</td>
                    <td>{c.kind}</td>
                    <td>{c.action}</td>
                    <td>{c.to_network_name}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      ) : null}
    </Modal>
  );
}
