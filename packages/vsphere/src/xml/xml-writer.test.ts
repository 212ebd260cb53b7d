import assert from 'node:assert/strict';
import { test } from 'node:test';
import { child, parseXml, textOf } from '@migratekit/node-common';
import { parseMoRef } from '../vim-types';
import { leaf, node, soapEnvelope } from './xml-writer';

test(
  'the writer escapes text and attributes, skips undefined leaves, and round-trips through the parser',
  { timeout: 120_000 },
  () => {
    const body = soapEnvelope('CreateSnapshot_Task', { type: 'VirtualMachine', value: 'vm-1"<' }, [
      leaf('name', 'a & b <c>'),
      leaf('description', undefined),
      node('spec', [leaf('changeTrackingEnabled', true)]),
    ]);
    assert.ok(!body.includes('<description>'));
    const parsed = parseXml(body);
    const method = child(child(parsed, 'Body'), 'CreateSnapshot_Task');
    assert.equal(method?.attrs.xmlns, 'urn:vim25');
    assert.deepEqual(parseMoRef(child(method, '_this')), { type: 'VirtualMachine', value: 'vm-1"<' });
    assert.equal(textOf(method, 'name'), 'a & b <c>');
    assert.equal(textOf(method, 'spec', 'changeTrackingEnabled'), 'true');
    assert.deepEqual(
      method?.children.map((c) => c.name),
      ['_this', 'name', 'spec'],
    );
  },
);
