// A fresh one-time pairing token and the exact commands that pair an agent with it: the Debian package's
// `migratekit-agent pair` and the release tarball's `migratekit agent pair` (docs/install.md). The agent dials
// the host this dashboard was reached on, at the agent port the server reports. Shared by Settings > Agents and
// the setup checklist.
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { api } from '../../api/client';
import type { PairingToken } from '../../api/models';
import { useIsAdmin } from '../../auth/session';
import { Button, InlineError } from '../../components/ui';
import { formatDateTime } from '../../lib/format';

/** The URL an agent pairs with: this page's host at the agent port (8443 unless MIGRATEKIT_AGENT_PORT). */
export function agentServerUrl(agentPort: number | null): string {
  return `https://${window.location.hostname}:${agentPort ?? 8443}`;
}

/** The pair commands for a token; single quotes keep the shell from reading the token. */
export function pairCommands(token: PairingToken): { deb: string; tarball: string } {
  const args = `pair --server ${agentServerUrl(token.agent_port)} --token '${token.token}'`;
  return {
    deb: `sudo -u migratekit migratekit-agent ${args} --state-dir /var/lib/migratekit-agent`,
    tarball: `migratekit agent ${args}`,
  };
}

function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = () => {
    // The clipboard needs a secure context and permission; without them the operator selects the text.
    navigator.clipboard.writeText(text).then(
      () => setState('copied'),
      () => setState('failed'),
    );
  };
  return (
    <Button onClick={copy} aria-label={label}>
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Select and copy' : 'Copy'}
    </Button>
  );
}

function CommandLine({ text, label, testId }: { text: string; label: string; testId: string }) {
  return (
    <div className="flex items-start gap-2">
      <code
        data-testid={testId}
        className="block flex-1 rounded bg-slate-900 px-2 py-1.5 font-mono text-[12px] break-all text-slate-100 select-all"
      >
        {text}
      </code>
      <CopyButton text={text} label={label} />
    </div>
  );
}

export function PairingTokenPanel({ onIssued }: { onIssued?: () => void }) {
  const isAdmin = useIsAdmin();
  const pairing = useMutation({
    mutationFn: (): Promise<PairingToken> => api.ops.postAgentsPairingTokens({ body: {} }),
    onSuccess: () => onIssued?.(),
  });
  if (!isAdmin) return <p className="text-xs text-slate-500">An admin creates pairing tokens.</p>;
  const commands = pairing.data ? pairCommands(pairing.data) : null;
  return (
    <div className="space-y-2">
      <Button variant="primary" onClick={() => pairing.mutate()} disabled={pairing.isPending}>
        {pairing.data ? 'New pairing token' : 'Create pairing token'}
      </Button>
      <InlineError error={pairing.error} />
      {pairing.data && commands ? (
        <div
          role="status"
          className="space-y-2 rounded border border-sky-200 bg-sky-50 p-2 text-xs dark:border-sky-900 dark:bg-sky-950/40"
        >
          <p className="font-medium">
            Pairing token: shown once, usable once, expires {formatDateTime(pairing.data.expires_at)}. It carries this
            server&apos;s certificate fingerprint, so pairing pins the server. On the agent VM, run:
          </p>
          <p>With the Debian package (then start the service: sudo systemctl start migratekit-agent):</p>
          <CommandLine text={commands.deb} label="Copy the Debian package command" testId="agent-pair-command-deb" />
          <p>With the release tarball or a source checkout (then run: migratekit agent --vddk-libdir DIR):</p>
          <CommandLine text={commands.tarball} label="Copy the migratekit command" testId="agent-pair-command" />
          <p className="text-slate-600 dark:text-slate-400">
            The agent connects out to {agentServerUrl(pairing.data.agent_port)}; that port must be open from the agent
            VM.
          </p>
        </div>
      ) : null}
    </div>
  );
}
