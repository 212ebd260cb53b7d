import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import type { FormEvent } from 'react';
import { api } from '../../api/client';
import { Button, Card, InlineError, TextField } from '../../components/ui';

/** Every user changes their own password here; the first admin starts with a generated one. */
export function PasswordCard() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const change = useMutation({
    mutationFn: () => api.ops.postAuthPassword({ body: { current_password: current, new_password: next } }),
    onSuccess: () => {
      setCurrent('');
      setNext('');
      setRepeat('');
    },
  });
  const mismatch = repeat !== '' && repeat !== next;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!mismatch) change.mutate();
  };
  return (
    <Card title="Your password">
      <form onSubmit={submit} aria-label="Change your password" className="flex flex-wrap items-end gap-2">
        <TextField
          label="Current password"
          type="password"
          required
          autoComplete="current-password"
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
          className="w-44"
        />
        <TextField
          label="New password"
          type="password"
          required
          minLength={8}
          autoComplete="new-password"
          value={next}
          onChange={(e) => setNext(e.target.value)}
          className="w-44"
        />
        <TextField
          label="Repeat new password"
          type="password"
          required
          autoComplete="new-password"
          value={repeat}
          onChange={(e) => setRepeat(e.target.value)}
          className="w-44"
        />
        <Button type="submit" variant="primary" disabled={change.isPending || mismatch}>
          Change password
        </Button>
      </form>
      <div className="mt-2 space-y-1">
        {mismatch ? <p className="text-xs text-red-700 dark:text-red-400">The two new passwords differ.</p> : null}
        {change.isSuccess ? (
          <p role="status" className="text-xs text-emerald-700 dark:text-emerald-400">
            Password changed.
          </p>
        ) : null}
        <InlineError error={change.error} />
      </div>
    </Card>
  );
}
