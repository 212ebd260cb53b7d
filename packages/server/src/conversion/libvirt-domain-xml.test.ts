import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseXml, childrenNamed, descend } from '@migratekit/node-common';
import { conversionDomainXml, scsiDiskName } from './libvirt-domain-xml';

describe('conversion domain XML', { timeout: 30_000 }, () => {
  test('SCSI disk names follow the kernel: sda..sdz, then sdaa', () => {
    assert.deepEqual([0, 1, 25, 26, 27, 701, 702].map(scsiDiskName), [
      'sda',
      'sdb',
      'sdz',
      'sdaa',
      'sdab',
      'sdzz',
      'sdaaa',
    ]);
  });

  test('lists every disk in order, block devices by dev and image files by file, paths escaped', () => {
    const xml = conversionDomainXml('guest', [
      { path: '/dev/vdb', kind: 'block' },
      { path: "/tmp/a'b&c.img", kind: 'file' },
    ]);
    const disks = childrenNamed(descend(parseXml(xml), 'devices'), 'disk');
    assert.deepEqual(
      disks.map((d) => [d.attrs.type, descend(d, 'source')?.attrs, descend(d, 'target')?.attrs.dev]),
      [
        ['block', { dev: '/dev/vdb' }, 'sda'],
        ['file', { file: "/tmp/a'b&c.img" }, 'sdb'],
      ],
    );
  });
});
