import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { api } from '../../api/client';
import type { ApiToken, Role, User } from '../../api/models';
import { useApiTokens, useUsers } from '../../api/queries';
import { useIsAdmin, useSession } from '../../auth/session';
import {
  Button,
  Card,
  ConfirmDialog,
  EmptyState,
  ErrorState,
  InlineError,
  Loading,
  SelectField,
  TextField,
} from '../../components/ui';
import { formatAge } from '../../lib/format';
import { PasswordCard } from './password.card';

const ROLE_OPTIONS = [
  { value: 'viewer', label: 'viewer (read only)' },
  { value: 'operator', label: 'operator (replicate, fail over)' },
  { value: 'admin', label: 'admin (also users, credentials)' },
];

function UsersCard() {
  const me = useSession();
  const qc = useQueryClient();
  const users = useUsers();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('operator');
  const invalidate = () => qc.invalidateQueries({ queryKey: ['users'] });
  const create = useMutation({
    mutationFn: () => api.ops.postUsers({ body: { username, password, role } }),
    onSuccess: async () => {
      setUsername('');
      setPassword('');
      await invalidate();
    },
  });
  const update = useMutation({
    mutationFn: ({ user, patch }: { user: User; patch: Pick<Partial<User>, 'role' | 'is_active'> }) =>
      api.ops.putUsersById({ path: { id: user.id }, body: patch }),
    onSuccess: invalidate,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <Card title="Users">
      {users.isPending ? (
        <Loading what="users" />
      ) : users.isError ? (
        <ErrorState error={users.error} what="users" onRetry={() => void users.refetch()} />
      ) : users.data.length === 0 ? (
        <EmptyState title="No users" />
      ) : (
        <table className="data-table mb-3 w-full text-[13px]">
          <thead className="text-left text-xs text-slate-500">
            <tr>
              <th className="py-1 font-medium">Username</th>
              <th className="font-medium">Role</th>
              <th className="font-medium">Last login</th>
              <th className="font-medium">State</th>
            </tr>
          </thead>
          <tbody>
            {users.data.map((u) => (
              <tr key={u.id} className="border-t border-slate-100 dark:border-slate-800">
                <td className="py-1.5 font-medium">{u.username}</td>
                <td className="py-1">
                  {u.id === me.id ? (
                    u.role
                  ) : (
                    <select
                      aria-label={`Role of ${u.username}`}
                      value={u.role}
                      onChange={(e) => update.mutate({ user: u, patch: { role: e.target.value as Role } })}
                      className="h-6 rounded border border-slate-300 bg-white px-1 text-xs dark:border-slate-700 dark:bg-slate-900"
                    >
                      {ROLE_OPTIONS.map((o) => (
                        <option key={o.value} value={o.value}>
                          {o.value}
                        </option>
                      ))}
                    </select>
                  )}
                </td>
                <td className="text-xs">{formatAge(u.last_login_at)}</td>
                <td>
                  {u.id === me.id ? (
                    <span className="text-xs text-slate-500">you</span>
                  ) : (
                    <Button
                      variant="ghost"
                      onClick={() => update.mutate({ user: u, patch: { is_active: !u.is_active } })}
                    >
                      {!u.is_active ? 'Enable' : 'Disable'}
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <InlineError error={update.error} />
      <form
        onSubmit={submit}
        aria-label="Add user"
        className="flex flex-wrap items-end gap-2 border-t border-slate-200 pt-3 dark:border-slate-800"
      >
        <TextField
          label="New username"
          required
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          autoComplete="off"
          className="w-44"
        />
        <TextField
          label="Initial password"
          type="password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="new-password"
          className="w-44"
        />
        <SelectField
          label="Role"
          value={role}
          onChange={(e) => setRole(e.target.value as Role)}
          options={ROLE_OPTIONS}
          className="w-60"
        />
        <Button type="submit" variant="primary" disabled={create.isPending}>
          Add user
        </Button>
      </form>
      <div className="mt-2">
        <InlineError error={create.error} />
      </div>
    </Card>
  );
}

function TokensCard() {
  const qc = useQueryClient();
  const tokens = useApiTokens();
  const [name, setName] = useState('');
  const [revoking, setRevoking] = useState<ApiToken | null>(null);
  const create = useMutation({
    mutationFn: () => api.ops.postApiTokens({ body: { name } }),
    onSuccess: async () => {
      setName('');
      await qc.invalidateQueries({ queryKey: ['api-tokens'] });
    },
  });
  const revoke = useMutation({
    mutationFn: (t: ApiToken) => api.ops.deleteApiTokensById({ path: { id: t.id } }),
    onSuccess: async () => {
      setRevoking(null);
      await qc.invalidateQueries({ queryKey: ['api-tokens'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  const active = (tokens.data ?? []).filter((t) => !t.revoked_at);
  return (
    <Card title="API tokens (CLI and scripts)">
      {create.data?.token ? (
        <div
          role="status"
          className="mb-3 rounded border border-sky-200 bg-sky-50 p-2 text-xs dark:border-sky-900 dark:bg-sky-950/40"
        >
          <p className="font-medium">New token (shown once)</p>
          <code className="block font-mono break-all select-all">{create.data.token}</code>
        </div>
      ) : null}
      {tokens.isPending ? (
        <Loading what="API tokens" />
      ) : tokens.isError ? (
        <ErrorState error={tokens.error} what="API tokens" />
      ) : active.length === 0 ? (
        <EmptyState title="No API token" />
      ) : (
        <ul className="mb-3 divide-y divide-slate-100 text-[13px] dark:divide-slate-800">
          {active.map((t) => (
            <li key={t.id} className="flex items-center justify-between py-1.5">
              <span>
                <span className="font-medium">{t.name}</span>{' '}
                <span className="font-mono text-xs text-slate-500">{t.token_prefix}</span>
                <span className="ml-2 text-xs text-slate-500">last used {formatAge(t.last_used_at)}</span>
              </span>
              <Button variant="danger" onClick={() => setRevoking(t)}>
                Revoke
              </Button>
            </li>
          ))}
        </ul>
      )}
      <form onSubmit={submit} aria-label="Create API token" className="flex items-end gap-2">
        <TextField
          label="Token name"
          required
          value={name}
          onChange={(e) => setName(e.target.value)}
          className="w-56"
          placeholder="ci-pipeline"
        />
        <Button type="submit" variant="primary" disabled={create.isPending}>
          Create token
        </Button>
      </form>
      <div className="mt-2">
        <InlineError error={create.error} />
      </div>
      {revoking ? (
        <ConfirmDialog
          title={`Revoke token ${revoking.name}`}
          consequences="Every script or CLI using this token gets 401 from now on. This cannot be undone."
          confirmLabel="Revoke"
          pending={revoke.isPending}
          error={revoke.error}
          onConfirm={() => revoke.mutate(revoking)}
          onCancel={() => setRevoking(null)}
        />
      ) : null}
    </Card>
  );
}

export function UsersTab() {
  const isAdmin = useIsAdmin();
  const canAct = useSession().role !== 'viewer';
  return (
    <div className="grid gap-3 xl:grid-cols-2">
      {isAdmin ? <UsersCard /> : <Card title="Users">Only an admin manages users.</Card>}
      {canAct ? <TokensCard /> : null}
      <PasswordCard />
    </div>
  );
}
