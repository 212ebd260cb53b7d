import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MigrateKitError } from '@migratekit/core';
import { normalizeCloudStackApiUrl } from './cloudstack-config.service';
import { inlineVcenterLogin, normalizeVcenterHost } from './vmware-credential.service';

test('CloudStack host:port becomes the full API endpoint', { timeout: 120_000 }, () => {
  const cases: [string, string][] = [
    ['cloud.example.com:8080', 'http://cloud.example.com:8080/client/api'],
    ['10.0.0.5:8080', 'http://10.0.0.5:8080/client/api'],
    ['cloud.example.com:8443', 'https://cloud.example.com:8443/client/api'],
    ['cloud.example.com', 'http://cloud.example.com/client/api'],
    ['https://cloud.example.com', 'https://cloud.example.com/client/api'],
    ['http://cloud.example.com:8080/client', 'http://cloud.example.com:8080/client/api'],
    ['http://cloud.example.com:8080/client/api/', 'http://cloud.example.com:8080/client/api'],
    [' cloud.example.com:8080/client/api?x=1 ', 'http://cloud.example.com:8080/client/api'],
  ];
  for (const [input, expected] of cases) assert.equal(normalizeCloudStackApiUrl(input), expected, input);
});

test('CloudStack URLs that are not http(s) hosts are rejected naming body.api_url', { timeout: 120_000 }, () => {
  for (const input of ['ftp://x/client/api', 'http://', 'http://user:pw@host:8080', ':::']) {
    assert.throws(
      () => normalizeCloudStackApiUrl(input),
      (e) => e instanceof MigrateKitError && e.field === 'body.api_url',
      input,
    );
  }
});

test('vCenter host accepts host, host:port and a pasted URL', { timeout: 120_000 }, () => {
  assert.equal(normalizeVcenterHost('vc.example.com'), 'vc.example.com');
  assert.equal(normalizeVcenterHost('vc.example.com:443'), 'vc.example.com:443');
  assert.equal(normalizeVcenterHost('https://vc.example.com/sdk'), 'vc.example.com');
  assert.throws(
    () => normalizeVcenterHost('vc example'),
    (e) => e instanceof MigrateKitError && e.field === 'body.vcenter_host',
  );
});

test(
  'an inline vCenter login is all three fields or none, and its host is normalised like a stored one',
  { timeout: 30_000 },
  () => {
    assert.equal(inlineVcenterLogin({ credential_id: 'vmc-1' }), undefined);
    assert.deepEqual(inlineVcenterLogin({ vcenter: 'https://vc.example.com/sdk', username: 'u', password: 'p' }), {
      host: 'vc.example.com',
      username: 'u',
      password: 'p',
    });
    const refused = (input: Parameters<typeof inlineVcenterLogin>[0], field: string): void =>
      assert.throws(
        () => inlineVcenterLogin(input),
        (e) => e instanceof MigrateKitError && e.code === 'MKE_VALIDATION' && e.field === field,
        field,
      );
    refused({ vcenter: 'vc.example.com', username: 'u' }, 'body.password');
    refused({ username: 'u', password: 'p' }, 'body.vcenter');
    refused({ vcenter: 'vc example', username: 'u', password: 'p' }, 'body.vcenter');
    refused({ credential_id: 'vmc-1', vcenter: 'vc', username: 'u', password: 'p' }, 'body.credential_id');
  },
);
