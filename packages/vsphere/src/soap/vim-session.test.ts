import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isMigrateKitError } from '@migratekit/core';
import { BASE_HANDLERS, FakeTransport, soapFault, soapResponse } from '../../test/fake-transport';
import { VsphereClient } from '../vsphere-client';
import { InvalidLoginError, NotAuthenticatedError } from './vim-faults';
import { type VsphereLogger } from './vim-session';

const NOT_AUTHENTICATED = soapFault(
  'The session is not authenticated.',
  '<NotAuthenticatedFault xmlns="urn:vim25" xsi:type="NotAuthenticated"><object type="PropertyCollector">propertyCollector</object>' +
    '<privilegeId>System.View</privilegeId></NotAuthenticatedFault>',
);

const POWER_STATE = soapResponse(
  'RetrievePropertiesEx',
  '<returnval><objects><obj type="VirtualMachine">vm-1</obj><propSet><name>runtime.powerState</name>' +
    '<val xsi:type="VirtualMachinePowerState">poweredOn</val></propSet></objects></returnval>',
);

function recordingLogger(): VsphereLogger & { lines: string[] } {
  const lines: string[] = [];
  const log = (fields: object, message?: string): void => {
    lines.push(JSON.stringify({ ...fields, message }));
  };
  return { lines, debug: log, info: log, warn: log };
}

test(
  'SOAPAction follows the server API version; the session cookie is sent after login',
  { timeout: 120_000 },
  async () => {
    const transport = new FakeTransport({ ...BASE_HANDLERS, RetrievePropertiesEx: () => POWER_STATE });
    const client = await VsphereClient.connect({ host: 'vcenter.test', username: 'u', password: 'p', transport });
    assert.equal(await client.getPowerState({ type: 'VirtualMachine', value: 'vm-1' }), 'poweredOn');
    const [content, login, retrieve] = transport.calls;
    assert.equal(content?.soapAction, 'urn:vim25/6.5');
    assert.equal(content?.cookie, undefined);
    assert.equal(login?.soapAction, 'urn:vim25/8.0.2.0');
    assert.equal(retrieve?.cookie, 'vmware_soap_session="52a1f00d"');
    assert.equal(client.about.version, '8.0.2');
    await client.close();
    assert.deepEqual(transport.methods().slice(-1), ['Logout']);
    assert.equal(transport.closed, true);
  },
);

test('NotAuthenticated: one re-login and one retry, then the fault propagates', { timeout: 120_000 }, async () => {
  let failures = 1;
  const transport = new FakeTransport({
    ...BASE_HANDLERS,
    RetrievePropertiesEx: () => (failures-- > 0 ? NOT_AUTHENTICATED : POWER_STATE),
  });
  const logger = recordingLogger();
  const client = await VsphereClient.connect({
    host: 'vcenter.test',
    username: 'u',
    password: 's3cret!',
    transport,
    logger,
  });
  assert.equal(await client.getPowerState({ type: 'VirtualMachine', value: 'vm-1' }), 'poweredOn');
  assert.deepEqual(transport.methods(), [
    'RetrieveServiceContent',
    'Login',
    'RetrievePropertiesEx',
    'Login',
    'RetrievePropertiesEx',
  ]);
  failures = 5;
  await assert.rejects(client.getPowerState({ type: 'VirtualMachine', value: 'vm-1' }), NotAuthenticatedError);
  assert.equal(transport.methods().filter((m) => m === 'Login').length, 3);
  assert.ok(logger.lines.length > 0);
  assert.ok(
    logger.lines.every((line) => !line.includes('s3cret!')),
    'the password is never logged',
  );
});

test('an expired session reported in missingSet (as vcsim does) also re-logs in', { timeout: 120_000 }, async () => {
  let expired = true;
  const transport = new FakeTransport({
    ...BASE_HANDLERS,
    RetrievePropertiesEx: () => {
      if (!expired) return POWER_STATE;
      expired = false;
      return soapResponse(
        'RetrievePropertiesEx',
        '<returnval><objects><obj type="VirtualMachine">vm-1</obj><missingSet><path>runtime.powerState</path>' +
          '<fault><fault xsi:type="NotAuthenticated"><object type="VirtualMachine">vm-1</object>' +
          '<privilegeId>System.Read</privilegeId></fault><localizedMessage></localizedMessage></fault></missingSet></objects></returnval>',
      );
    },
  });
  const client = await VsphereClient.connect({ host: 'vcenter.test', username: 'u', password: 'p', transport });
  assert.equal(await client.getPowerState({ type: 'VirtualMachine', value: 'vm-1' }), 'poweredOn');
  assert.equal(transport.methods().filter((m) => m === 'Login').length, 2);
});

test('a failed Login is not retried and the transport is closed', { timeout: 120_000 }, async () => {
  const transport = new FakeTransport({
    ...BASE_HANDLERS,
    Login: () =>
      soapFault(
        'Cannot complete login due to an incorrect user name or password.',
        '<InvalidLoginFault xmlns="urn:vim25" xsi:type="InvalidLogin"></InvalidLoginFault>',
      ),
  });
  await assert.rejects(
    VsphereClient.connect({ host: 'vcenter.test', username: 'u', password: 'bad', transport }),
    InvalidLoginError,
  );
  assert.deepEqual(transport.methods(), ['RetrieveServiceContent', 'Login']);
  assert.equal(transport.closed, true);
});

test('a non-SOAP answer (a proxy error page) is MKE_UPSTREAM_ERROR', { timeout: 120_000 }, async () => {
  const transport = new FakeTransport({
    RetrieveServiceContent: () => ({ status: 503, body: '<html><body>Service Unavailable', setCookie: [] }),
  });
  await assert.rejects(
    VsphereClient.connect({ host: 'vcenter.test', username: 'u', password: 'p', transport }),
    (error: unknown) =>
      isMigrateKitError(error) && error.code === 'MKE_UPSTREAM_ERROR' && /HTTP 503/.test(error.message),
  );
});

test('host input: name, host:port, URL; plain http is refused', { timeout: 120_000 }, async () => {
  const { parseEndpoint } = await import('../vsphere-client');
  assert.deepEqual(parseEndpoint('vc.example.com'), { host: 'vc.example.com', port: 443, path: '/sdk' });
  assert.deepEqual(parseEndpoint('vc.example.com:8443'), { host: 'vc.example.com', port: 8443, path: '/sdk' });
  assert.deepEqual(parseEndpoint('https://10.0.0.5/sdk'), { host: '10.0.0.5', port: 443, path: '/sdk' });
  assert.deepEqual(parseEndpoint('[fd00::5]:9443'), { host: 'fd00::5', port: 9443, path: '/sdk' });
  assert.throws(
    () => parseEndpoint('http://vc.example.com'),
    (e: unknown) => isMigrateKitError(e) && e.field === 'host',
  );
});

test('calls that hit an expired session together share one re-login', { timeout: 120_000 }, async () => {
  let expired = 2;
  const transport = new FakeTransport({
    ...BASE_HANDLERS,
    RetrievePropertiesEx: () => (expired-- > 0 ? NOT_AUTHENTICATED : POWER_STATE),
  });
  const client = await VsphereClient.connect({ host: 'vcenter.test', username: 'u', password: 'p', transport });
  const vm = { type: 'VirtualMachine', value: 'vm-1' };
  assert.deepEqual(await Promise.all([client.getPowerState(vm), client.getPowerState(vm)]), ['poweredOn', 'poweredOn']);
  assert.equal(transport.methods().filter((m) => m === 'Login').length, 2);
});
