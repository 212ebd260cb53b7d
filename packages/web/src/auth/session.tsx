import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { createContext, useContext, useEffect, useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import { ApiError, api, onUnauthorized } from '../api/client';
import type { User } from '../api/models';
import { Button, InlineError, Loading, TextField } from '../components/ui';

const SessionContext = createContext<User | null>(null);

export function useSession(): User {
  const user = useContext(SessionContext);
  if (!user) throw new Error('useSession outside a signed-in session');
  return user;
}

/** A viewer sees the estate but gets no action buttons; operators and admins act. */
export function useCanAct(): boolean {
  return useSession().role !== 'viewer';
}

export function useIsAdmin(): boolean {
  return useSession().role === 'admin';
}

export const ME_KEY = ['auth', 'me'] as const;

// The session cookie is HttpOnly, so the page cannot see it. This marker remembers that a login happened in this
// browser; without it the login page shows at once instead of asking /auth/me for a certain 401 (which the
// browser would log as a console error).
const SIGNED_IN_MARKER = 'mk-signed-in';

function markSignedIn(on: boolean): void {
  try {
    if (on) localStorage.setItem(SIGNED_IN_MARKER, '1');
    else localStorage.removeItem(SIGNED_IN_MARKER);
  } catch {
    // Storage may be disabled; the marker is only an optimisation.
  }
}

function maybeSignedIn(): boolean {
  try {
    return localStorage.getItem(SIGNED_IN_MARKER) === '1';
  } catch {
    return true;
  }
}

async function fetchMe(): Promise<User | null> {
  if (!maybeSignedIn()) return null;
  try {
    return (await api.ops.getAuthMe()).user;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      markSignedIn(false);
      return null;
    }
    throw e;
  }
}

export function SessionGate({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  useEffect(() => {
    onUnauthorized(() => {
      markSignedIn(false);
      qc.setQueryData(ME_KEY, null);
    });
  }, [qc]);
  const me = useQuery({ queryKey: ME_KEY, queryFn: fetchMe, staleTime: 60_000, retry: false });
  if (me.isPending) return <Loading what="session" />;
  if (me.isError) {
    return (
      <div className="p-6">
        <InlineError error={me.error} />
      </div>
    );
  }
  if (!me.data) return <LoginPage />;
  return <SessionContext.Provider value={me.data}>{children}</SessionContext.Provider>;
}

export function useLogout() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.ops.postAuthLogout(),
    onSettled: () => {
      markSignedIn(false);
      // Drop every cached answer of the old session, but keep the observed `me` query so the gate re-renders.
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== ME_KEY[0] });
      qc.setQueryData(ME_KEY, null);
    },
  });
}

function LoginPage() {
  const qc = useQueryClient();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const login = useMutation({
    mutationFn: () => api.ops.postAuthLogin({ body: { username, password } }),
    onSuccess: (body) => {
      markSignedIn(true);
      qc.setQueryData(ME_KEY, body.user);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate();
  };
  return (
    <main className="flex min-h-full items-center justify-center p-4">
      <form
        onSubmit={submit}
        aria-label="Sign in"
        className="w-full max-w-xs space-y-3 rounded-md border border-slate-200 bg-white p-5 shadow-sm dark:border-slate-800 dark:bg-slate-900"
      >
        <div>
          <h1 className="text-base font-semibold">MigrateKit</h1>
          <p className="text-xs text-slate-500">Sign in to the control plane</p>
        </div>
        <TextField
          label="Username"
          name="username"
          autoComplete="username"
          required
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          autoFocus
        />
        <TextField
          label="Password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
        />
        <InlineError error={login.error} />
        <Button type="submit" variant="primary" className="w-full justify-center" disabled={login.isPending}>
          {login.isPending ? 'Signing in...' : 'Sign in'}
        </Button>
      </form>
    </main>
  );
}
