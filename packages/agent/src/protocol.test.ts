// Protocol frames, pairing tokens, bearer parsing and the version rule; the nbdkit-vddk command line.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildNbdkitVddkCommand } from './disk-access';
import {
  PROTOCOL_VERSION,
  agentBearer,
  formatPairingToken,
  parseAgentBearer,
  parseMessage,
  parsePairingToken,
  versionsCompatible,
} from './protocol';

const FP = 'AB:'.repeat(31) + 'AB';

test('pairing tokens carry the fingerprint and refuse malformed input', { timeout: 120_000 }, () => {
  const token = formatPairingToken({ secret: 'abcdefghijklmnop0123', fingerprint: FP });
  assert.match(token, /^mkp1\.abcdefghijklmnop0123\.(ab){32}$/);
  assert.deepEqual(parsePairingToken(token), { secret: 'abcdefghijklmnop0123', fingerprint: 'ab'.repeat(32) });
  for (const bad of [
    '',
    'mkp1.short.' + 'ab'.repeat(32),
    'mkp2.abcdefghijklmnop0123.' + 'ab'.repeat(32),
    'mkp1.abcdefghijklmnop0123.abc',
  ])
    assert.throws(() => parsePairingToken(bad), { code: 'MKE_VALIDATION' });
});

test('frames: known shapes parse, anything else is refused', { timeout: 120_000 }, () => {
  assert.equal(parseMessage('{"type":"heartbeat","at":"x"}').type, 'heartbeat');
  const req = parseMessage('{"type":"request","id":"r1","method":"discover","params":{},"timeout_ms":5}');
  assert.equal(req.type === 'request' && req.method, 'discover');
  for (const bad of [
    'nope',
    '{}',
    '{"type":"request","id":"r","method":"rm -rf","timeout_ms":1}',
    '{"type":"response","id":"r","ok":false}',
  ])
    assert.throws(() => parseMessage(bad), { code: 'MKE_VALIDATION' });
});

test('welcome and heartbeat: the servers list is optional, and strict when present', { timeout: 120_000 }, () => {
  const base = { type: 'welcome', agent_id: 'agent-1', server_version: '0.1.0', protocol: 1, heartbeat_ms: 10 };
  const peer = { id: 'mk-2', agent_url: 'https://mk-2.example.com:8443', fingerprint: 'ab'.repeat(32) };
  const old = parseMessage(JSON.stringify(base));
  assert.equal(old.type === 'welcome' && old.servers, undefined, 'a server without failover sends no list');
  const welcome = parseMessage(JSON.stringify({ ...base, servers: [{ ...peer, extra: 'dropped' }] }));
  assert.deepEqual(welcome.type === 'welcome' && welcome.servers, [peer]);
  const beat = parseMessage(JSON.stringify({ type: 'heartbeat', at: 'x', servers: [] }));
  assert.deepEqual(beat, { type: 'heartbeat', at: 'x', servers: [] });
  for (const servers of [
    'mk-2',
    [{ ...peer, fingerprint: FP }],
    [{ ...peer, agent_url: 'http://mk-2:8443' }],
    [{ ...peer, id: '' }],
    Array.from({ length: 33 }, () => peer),
  ]) {
    assert.throws(() => parseMessage(JSON.stringify({ ...base, servers })), { code: 'MKE_VALIDATION' });
    assert.throws(() => parseMessage(JSON.stringify({ type: 'heartbeat', at: 'x', servers })), {
      code: 'MKE_VALIDATION',
    });
  }
});

test('bearer and version rules', { timeout: 120_000 }, () => {
  const bearer = agentBearer({ agent_id: 'agent-0123abcd', secret: 'S'.repeat(20) });
  assert.deepEqual(parseAgentBearer(`Bearer ${bearer}`), { agentId: 'agent-0123abcd', secret: 'S'.repeat(20) });
  assert.equal(parseAgentBearer('Bearer nope'), undefined);
  assert.ok(
    versionsCompatible(
      { version: '0.1.9', protocol: PROTOCOL_VERSION },
      { version: '0.1.0', protocol: PROTOCOL_VERSION },
    ),
  );
  assert.ok(
    !versionsCompatible(
      { version: '0.2.0', protocol: PROTOCOL_VERSION },
      { version: '0.1.0', protocol: PROTOCOL_VERSION },
    ),
  );
  assert.ok(
    !versionsCompatible(
      { version: '0.1.0', protocol: PROTOCOL_VERSION + 1 },
      { version: '0.1.0', protocol: PROTOCOL_VERSION },
    ),
  );
});

test(
  'nbdkit vddk command line: snapshot, moref, file, thumbprint, transports; password only on stdin',
  { timeout: 120_000 },
  () => {
    const cmd = buildNbdkitVddkCommand(
      {
        vcenterHost: 'vc.example.com:8443',
        username: 'svc@vsphere.local',
        password: 'p@ss word',
        thumbprint: 'AA:BB',
        vmMoref: 'vm-123',
        snapshotMoref: 'snapshot-45',
        deviceKey: 2000,
        fileName: '[DS-SSD-01] web-01/web-01.vmdk',
      },
      { libdir: '/opt/vddk', transports: ['nbdssl', 'nbd'] },
      '/tmp/s.sock',
    );
    assert.equal(cmd.command, 'nbdkit');
    assert.deepEqual(cmd.args.slice(cmd.args.indexOf('vddk')), [
      'vddk',
      'libdir=/opt/vddk',
      'server=vc.example.com',
      'port=8443',
      'user=svc@vsphere.local',
      'password=-',
      'thumbprint=AA:BB',
      'vm=moref=vm-123',
      'snapshot=snapshot-45',
      'file=[DS-SSD-01] web-01/web-01.vmdk',
      'transports=nbdssl:nbd',
    ]);
    assert.ok(cmd.args.includes('--unix') && cmd.args.includes('/tmp/s.sock') && cmd.args.includes('--readonly'));
    assert.ok(!cmd.args.some((a) => a.includes('p@ss')));
    assert.equal(cmd.stdin, 'p@ss word\n');
    const noThumbprint = {
      vcenterHost: 'vc',
      username: 'u',
      password: 'p',
      vmMoref: 'vm-1',
      snapshotMoref: 's-1',
      deviceKey: 2000,
      fileName: 'f',
    };
    assert.throws(() => buildNbdkitVddkCommand(noThumbprint, { libdir: '/x' }, '/s'), {
      code: 'MKE_VALIDATION',
    });
  },
);
