import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { api, errorMessage } from '../../api/client';
import type { VmwareCredential } from '../../api/models';
import { useCredentials } from '../../api/queries';
import { useIsAdmin } from '../../auth/session';
import {
  Button,
  Card,
  CheckboxField,
  ConfirmDialog,
  EmptyState,
  ErrorState,
  InlineError,
  Loading,
  Modal,
  TextField,
} from '../../components/ui';
import { formatAge } from '../../lib/format';

interface Draft {
  name: string;
  vcenter_host: string;
  username: string;
  password: string;
  datacenter: string;
  is_default: boolean;
}

const EMPTY: Draft = { name: '', vcenter_host: '', username: '', password: '', datacenter: '', is_default: false };

function CredentialForm({ initial, onClose }: { initial: VmwareCredential | null; onClose: () => void }) {
  const qc = useQueryClient();
  const [draft, setDraft] = useState<Draft>(
    initial
      ? {
          name: initial.name,
          vcenter_host: initial.vcenter_host,
          username: initial.username,
          password: '',
          datacenter: initial.datacenter ?? '',
          is_default: initial.is_default ?? false,
        }
      : EMPTY,
  );
  const save = useMutation({
    mutationFn: async () => {
      const body = {
        name: draft.name,
        vcenter_host: draft.vcenter_host,
        username: draft.username,
        datacenter: draft.datacenter || null,
      };
      if (initial)
        // An empty password field keeps the stored password.
        return api.ops.putVmwareCredentialsById({
          path: { id: initial.id },
          body: draft.password ? { ...body, password: draft.password } : body,
        });
      return api.ops.postVmwareCredentials({
        body: { ...body, password: draft.password, ...(draft.is_default ? { is_default: true } : {}) },
      });
    },
    onSuccess: async () => {
      await qc.invalidateQueries({ queryKey: ['credentials'] });
      onClose();
    },
  });
  const set = (k: keyof Draft) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [k]: e.target.value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <Modal title={initial ? `Edit ${initial.name}` : 'Add VMware credential'} onClose={onClose}>
      <form onSubmit={submit} className="space-y-2.5" aria-label="VMware credential">
        <TextField label="Name" required value={draft.name} onChange={set('name')} placeholder="Production vCenter" />
        <TextField
          label="vCenter host"
          required
          value={draft.vcenter_host}
          onChange={set('vcenter_host')}
          placeholder="vcenter.example.com or host:port"
        />
        <TextField
          label="Username"
          required
          value={draft.username}
          onChange={set('username')}
          autoComplete="off"
          placeholder="administrator@vsphere.local"
        />
        <TextField
          label="Password"
          type="password"
          required={!initial}
          value={draft.password}
          onChange={set('password')}
          autoComplete="new-password"
          hint={
            initial
              ? 'Leave empty to keep the stored password. It is encrypted at rest and never shown.'
              : 'Encrypted at rest (AES-256-GCM), never shown again.'
          }
        />
        <TextField
          label="Datacenter"
          value={draft.datacenter}
          onChange={set('datacenter')}
          placeholder="optional default datacenter"
        />
        {!initial ? (
          <CheckboxField
            label="Make this the default credential (the first one always is)"
            checked={draft.is_default}
            onChange={(v) => setDraft((d) => ({ ...d, is_default: v }))}
          />
        ) : null}
        <InlineError error={save.error} />
        <div className="flex justify-end gap-2 pt-1">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={save.isPending}>
            {save.isPending ? 'Saving...' : 'Save'}
          </Button>
        </div>
      </form>
    </Modal>
  );
}

type TestResult = { id: string; ok: boolean; message: string; thumbprint?: string };

export function CredentialsTab() {
  const isAdmin = useIsAdmin();
  const qc = useQueryClient();
  const credentials = useCredentials();
  const [editing, setEditing] = useState<VmwareCredential | 'new' | null>(null);
  const [deleting, setDeleting] = useState<VmwareCredential | null>(null);
  const [test, setTest] = useState<TestResult | null>(null);
  const invalidate = () => qc.invalidateQueries({ queryKey: ['credentials'] });
  const testConn = useMutation({
    mutationFn: ({ credential, thumbprint }: { credential: VmwareCredential; thumbprint?: string }) =>
      api.ops.postVmwareCredentialsByIdTest({ path: { id: credential.id }, body: thumbprint ? { thumbprint } : {} }),
    onSuccess: (r, { credential }) => {
      if (r.ok) {
        setTest({
          id: credential.id,
          ok: true,
          message: `Connected: ${r.product} ${r.version}; datacenters ${r.datacenters.join(', ') || 'none'}`,
        });
        return;
      }
      // A vCenter that answered badly is a test result. A self-signed one reports its certificate's
      // fingerprint: offer to retest trusting exactly it.
      const sha1 = r.error.code === 'MKE_UPSTREAM_TLS' ? r.error.details?.sha1 : undefined;
      setTest({
        id: credential.id,
        ok: false,
        message: `${r.error.message} (${r.error.code})`,
        ...(typeof sha1 === 'string' ? { thumbprint: sha1 } : {}),
      });
    },
    onError: (e, { credential }) => setTest({ id: credential.id, ok: false, message: errorMessage(e) }),
  });
  const setDefault = useMutation({
    mutationFn: (c: VmwareCredential) => api.ops.postVmwareCredentialsByIdSetDefault({ path: { id: c.id } }),
    onSuccess: invalidate,
  });
  const remove = useMutation({
    mutationFn: (c: VmwareCredential) => api.ops.deleteVmwareCredentialsById({ path: { id: c.id } }),
    onSuccess: async () => {
      setDeleting(null);
      await invalidate();
    },
  });
  return (
    <Card
      title="VMware vCenter credentials"
      actions={
        isAdmin ? (
          <Button variant="primary" onClick={() => setEditing('new')}>
            Add credential
          </Button>
        ) : null
      }
    >
      {credentials.isPending ? (
        <Loading what="credentials" />
      ) : credentials.isError ? (
        <ErrorState error={credentials.error} what="credentials" onRetry={() => void credentials.refetch()} />
      ) : credentials.data.length === 0 ? (
        <EmptyState title="No vCenter credential yet">
          Add the vCenter that discovery and replication should use.
        </EmptyState>
      ) : (
        <table className="data-table w-full text-[13px]">
          <thead className="text-left text-xs text-slate-500">
            <tr>
              <th className="py-1 font-medium">Name</th>
              <th className="font-medium">vCenter</th>
              <th className="font-medium">Username</th>
              <th className="font-medium">Datacenter</th>
              <th className="font-medium">Used</th>
              <th className="font-medium" />
            </tr>
          </thead>
          <tbody>
            {credentials.data.map((c) => (
              <tr key={c.id} className="border-t border-slate-100 align-top dark:border-slate-800">
                <td className="py-1.5 font-medium">
                  {c.name}{' '}
                  {c.is_default ? (
                    <span className="ml-1 rounded bg-sky-100 px-1 text-[11px] text-sky-800 dark:bg-sky-950 dark:text-sky-300">
                      default
                    </span>
                  ) : null}
                  {test?.id === c.id ? (
                    <p
                      className={`mt-0.5 text-xs font-normal ${test.ok ? 'text-emerald-700 dark:text-emerald-400' : 'text-red-700 dark:text-red-400'}`}
                      role="status"
                    >
                      {test.message}
                    </p>
                  ) : null}
                  {test?.id === c.id && test.thumbprint && isAdmin ? (
                    <Button
                      className="mt-1"
                      onClick={() => testConn.mutate({ credential: c, thumbprint: test.thumbprint })}
                      disabled={testConn.isPending}
                    >
                      Trust certificate {test.thumbprint.slice(0, 14)}... and test again
                    </Button>
                  ) : null}
                </td>
                <td className="py-1.5">{c.vcenter_host}</td>
                <td className="py-1.5">{c.username}</td>
                <td className="py-1.5">{c.datacenter ?? '-'}</td>
                <td className="py-1.5 text-xs">
                  {c.usage_count ?? 0} times, last {formatAge(c.last_used)}
                </td>
                <td className="py-1.5 text-right">
                  {isAdmin ? (
                    <div className="flex justify-end gap-1">
                      <Button onClick={() => testConn.mutate({ credential: c })} disabled={testConn.isPending}>
                        Test
                      </Button>
                      {!c.is_default ? <Button onClick={() => setDefault.mutate(c)}>Make default</Button> : null}
                      <Button onClick={() => setEditing(c)}>Edit</Button>
                      <Button variant="danger" onClick={() => setDeleting(c)}>
                        Delete
                      </Button>
                    </div>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <InlineError error={setDefault.error} />
      {editing ? (
        <CredentialForm initial={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />
      ) : null}
      {deleting ? (
        <ConfirmDialog
          title={`Delete credential ${deleting.name}`}
          consequences={
            <>
              Removes the stored login for <b>{deleting.vcenter_host}</b>. VMs under management keep their contexts, but
              replication and discovery through this credential stop until another one is chosen.
            </>
          }
          confirmLabel="Delete"
          pending={remove.isPending}
          error={remove.error}
          onConfirm={() => remove.mutate(deleting)}
          onCancel={() => {
            setDeleting(null);
            remove.reset();
          }}
        />
      ) : null}
    </Card>
  );
}
