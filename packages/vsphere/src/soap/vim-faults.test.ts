// Fault mapping from recorded vCenter SOAP fault bodies.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MigrateKitError } from '@migratekit/core';
import { child, parseXml } from '@migratekit/node-common';
import {
  FileFaultError,
  InvalidArgumentError,
  InvalidLoginError,
  InvalidStateError,
  ManagedObjectNotFoundError,
  MethodNotFoundError,
  NotAuthenticatedError,
  parseLocalizedMethodFault,
  parseSoapFault,
  TaskInProgressError,
  VimFaultError,
} from './vim-faults';

function faultOf(faultstring: string, detail: string): VimFaultError {
  const xml =
    '<?xml version="1.0" encoding="UTF-8"?>\n<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/"\n' +
    ' xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"\n xmlns:xsd="http://www.w3.org/2001/XMLSchema"\n' +
    ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n<soapenv:Body>\n<soapenv:Fault><faultcode>ServerFaultCode</faultcode>' +
    `<faultstring>${faultstring}</faultstring><detail>${detail}</detail></soapenv:Fault>\n</soapenv:Body>\n</soapenv:Envelope>`;
  const fault = child(child(parseXml(xml), 'Body'), 'Fault');
  assert.ok(fault);
  return parseSoapFault(fault);
}

test('InvalidLogin maps to InvalidLoginError with MKE_VCENTER_AUTH', { timeout: 120_000 }, () => {
  const error = faultOf(
    'Cannot complete login due to an incorrect user name or password.',
    '<InvalidLoginFault xmlns="urn:vim25" xsi:type="InvalidLogin"></InvalidLoginFault>',
  );
  assert.ok(error instanceof InvalidLoginError);
  assert.ok(error instanceof MigrateKitError);
  assert.equal(error.code, 'MKE_VCENTER_AUTH');
  assert.equal(error.status, 422, "the caller's credentials: a 4xx");
  assert.match(error.message, /incorrect user name or password/);
});

test('NotAuthenticated maps to NotAuthenticatedError', { timeout: 120_000 }, () => {
  const error = faultOf(
    'The session is not authenticated.',
    '<NotAuthenticatedFault xmlns="urn:vim25" xsi:type="NotAuthenticated"><object type="Folder">group-d1</object>' +
      '<privilegeId>System.View</privilegeId></NotAuthenticatedFault>',
  );
  assert.ok(error instanceof NotAuthenticatedError);
  assert.equal(error.code, 'MKE_VCENTER_AUTH');
});

test(
  'ManagedObjectNotFound carries the missing reference and is MKE_VSPHERE_OBJECT_NOT_FOUND (404)',
  { timeout: 120_000 },
  () => {
    const error = faultOf(
      'The object &apos;vim.VirtualMachine:vm-999&apos; has already been deleted or has not been completely created',
      '<ManagedObjectNotFoundFault xmlns="urn:vim25" xsi:type="ManagedObjectNotFound"><obj type="VirtualMachine">vm-999</obj></ManagedObjectNotFoundFault>',
    );
    assert.ok(error instanceof ManagedObjectNotFoundError);
    assert.deepEqual(error.obj, { type: 'VirtualMachine', value: 'vm-999' });
    assert.equal(error.status, 404);
    assert.equal(error.details?.object, 'VirtualMachine:vm-999');
    assert.match(error.faultMessage, /'vim.VirtualMachine:vm-999'/);
  },
);

test('FileFault from QueryChangedDiskAreas with a bad change id keeps the file', { timeout: 120_000 }, () => {
  const file = '/vmfs/volumes/5f1e2d3c-aa/web-01/web-01.vmdk';
  const error = faultOf(
    `Error caused by file ${file}`,
    `<FileFaultFault xmlns="urn:vim25" xsi:type="FileFault"><file>${file}</file></FileFaultFault>`,
  );
  assert.ok(error instanceof FileFaultError);
  assert.equal(error.file, file);
  assert.equal(error.code, 'MKE_VSPHERE_FAULT');
  // Subtypes of FileFault are FileFaultError too.
  assert.ok(
    faultOf(
      'x',
      '<FileNotFoundFault xmlns="urn:vim25" xsi:type="FileNotFound"><file>a</file></FileNotFoundFault>',
    ) instanceof FileFaultError,
  );
});

test('InvalidPowerState is an InvalidStateError (409) that keeps the concrete type', { timeout: 120_000 }, () => {
  const error = faultOf(
    'The attempted operation cannot be performed in the current state (Powered off).',
    '<InvalidPowerStateFault xmlns="urn:vim25" xsi:type="InvalidPowerState"><requestedState>poweredOn</requestedState>' +
      '<existingState>poweredOff</existingState></InvalidPowerStateFault>',
  );
  assert.ok(error instanceof InvalidStateError);
  assert.equal(error.faultType, 'InvalidPowerState');
  assert.equal(error.code, 'MKE_VSPHERE_INVALID_STATE');
  assert.equal(error.details?.existing_state, 'poweredOff');
});

test('TaskInProgress is retryable MKE_VSPHERE_BUSY with the busy task', { timeout: 120_000 }, () => {
  const error = faultOf(
    'The operation is not allowed in the current state.',
    '<TaskInProgressFault xmlns="urn:vim25" xsi:type="TaskInProgress"><task type="Task">task-123</task></TaskInProgressFault>',
  );
  assert.ok(error instanceof TaskInProgressError);
  assert.equal(error.retryable, true);
  assert.deepEqual(error.obj, { type: 'Task', value: 'task-123' });
});

test('InvalidArgument keeps the invalid property; MethodNotFound is MKE_NOT_IMPLEMENTED', { timeout: 120_000 }, () => {
  const error = faultOf(
    'A specified parameter was not correct: changeId',
    '<InvalidArgumentFault xmlns="urn:vim25" xsi:type="InvalidArgument"><invalidProperty>changeId</invalidProperty></InvalidArgumentFault>',
  );
  assert.ok(error instanceof InvalidArgumentError);
  assert.equal(error.details?.invalid_property, 'changeId');
  const missing = faultOf('no such method', '<MethodNotFoundFault xmlns="urn:vim25" xsi:type="MethodNotFound"/>');
  assert.ok(missing instanceof MethodNotFoundError);
  assert.equal(missing.code, 'MKE_NOT_IMPLEMENTED');
});

test(
  'an unknown fault type, or an element name without xsi:type, still yields a typed VimFaultError',
  { timeout: 120_000 },
  () => {
    const unknown = faultOf('Insufficient disk space', '<OutOfSpaceFault xmlns="urn:vim25" xsi:type="OutOfBounds"/>');
    assert.equal(unknown.constructor, VimFaultError);
    assert.equal(unknown.kind, 'VimFault');
    assert.equal(unknown.faultType, 'OutOfBounds');
    assert.equal(unknown.code, 'MKE_VSPHERE_FAULT');
    const byName = faultOf('bad login', '<InvalidLoginFault xmlns="urn:vim25"/>');
    assert.ok(byName instanceof InvalidLoginError);
    const empty = faultOf('Internal server error', '');
    assert.equal(empty.faultType, 'VimFault');
    assert.match(empty.message, /Internal server error/);
  },
);

test('a task error (LocalizedMethodFault) maps the same way', { timeout: 120_000 }, () => {
  const error = parseLocalizedMethodFault(
    parseXml(
      '<error xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><fault xsi:type="InvalidPowerState">' +
        '<requestedState>poweredOff</requestedState><existingState>poweredOn</existingState></fault>' +
        '<localizedMessage>The attempted operation cannot be performed in the current state (Powered on).</localizedMessage></error>',
    ),
  );
  assert.ok(error instanceof InvalidStateError);
  assert.match(error.message, /^InvalidPowerState: The attempted operation/);
});

test(
  'isChangeIdRejected: FileFault and InvalidArgument(changeId) mean "copy this disk in full"',
  { timeout: 120_000 },
  async () => {
    const { isChangeIdRejected } = await import('./vim-faults');
    assert.ok(
      isChangeIdRejected(faultOf('Error caused by file x', '<FileFaultFault xmlns="urn:vim25" xsi:type="FileFault"/>')),
    );
    assert.ok(
      isChangeIdRejected(
        faultOf(
          'A specified parameter was not correct: changeId',
          '<InvalidArgumentFault xmlns="urn:vim25" xsi:type="InvalidArgument"><invalidProperty>changeId</invalidProperty></InvalidArgumentFault>',
        ),
      ),
    );
    assert.ok(
      !isChangeIdRejected(
        faultOf(
          'A specified parameter was not correct: deviceKey',
          '<InvalidArgumentFault xmlns="urn:vim25" xsi:type="InvalidArgument"><invalidProperty>deviceKey</invalidProperty></InvalidArgumentFault>',
        ),
      ),
    );
    assert.ok(!isChangeIdRejected(new Error('network down')));
  },
);
