// virt-inspector's XML as libguestfs 1.48 writes it, turned into the inspection pre-flight shows.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { inspectionFromReport } from './inspector-report';

const DEBIAN = `<?xml version="1.0"?>
<operatingsystems>
  <operatingsystem>
    <root>/dev/sda1</root>
    <name>linux</name>
    <arch>x86_64</arch>
    <distro>debian</distro>
    <product_name>12.8</product_name>
    <major_version>12</major_version>
    <minor_version>8</minor_version>
    <package_format>deb</package_format>
    <applications>
      <application><name>linux-image-6.1.0-27-amd64</name><version>6.1.115</version></application>
      <application><name>linux-image-6.1.0-50-amd64</name><version>6.1.176</version></application>
      <application><name>linux-image-amd64</name><version>6.1.176</version></application>
      <application><name>grub-pc</name><version>2.06</version></application>
    </applications>
  </operatingsystem>
</operatingsystems>`;

const WINDOWS = `<?xml version="1.0"?>
<operatingsystems><operatingsystem><root>/dev/sda2</root><name>windows</name><distro>windows</distro>
<product_name>Windows Server 2019</product_name><major_version>10</major_version><minor_version>0</minor_version>
</operatingsystem></operatingsystems>`;

describe('inspectionFromReport', { timeout: 30_000 }, () => {
  test('a Debian guest: distribution, version and the newest installed kernel; convertible', () => {
    assert.deepEqual(inspectionFromReport(DEBIAN, { windowsUnsupportedReason: undefined }), {
      osFamily: 'linux',
      distribution: 'debian',
      version: '12.8',
      kernel: '6.1.0-50-amd64',
      convertible: true,
    });
  });

  test('a Windows guest is convertible only with the virtio-win drivers', () => {
    const without = inspectionFromReport(WINDOWS, { windowsUnsupportedReason: 'set MIGRATEKIT_VIRTIO_WIN' });
    assert.equal(without.osFamily, 'windows');
    assert.equal(without.version, '10.0');
    assert.equal(without.convertible, false);
    assert.equal(without.reason, 'set MIGRATEKIT_VIRTIO_WIN');
    assert.equal(inspectionFromReport(WINDOWS, { windowsUnsupportedReason: undefined }).convertible, true);
  });

  test('no operating system, an unsupported distribution and a multi-boot guest are not convertible', () => {
    const empty = inspectionFromReport('<?xml version="1.0"?><operatingsystems/>', {
      windowsUnsupportedReason: undefined,
    });
    assert.equal(empty.osFamily, 'unknown');
    assert.equal(empty.convertible, false);
    const arch = inspectionFromReport(DEBIAN.replace('<distro>debian</distro>', '<distro>archlinux</distro>'), {
      windowsUnsupportedReason: undefined,
    });
    assert.equal(arch.convertible, false);
    assert.match(arch.reason ?? '', /archlinux/);
    const twoSystems = DEBIAN.replace(
      '</operatingsystems>',
      '<operatingsystem><name>linux</name><distro>fedora</distro></operatingsystem></operatingsystems>',
    );
    const multi = inspectionFromReport(twoSystems, { windowsUnsupportedReason: undefined });
    assert.equal(multi.convertible, false);
    assert.match(multi.reason ?? '', /multi-boot/);
  });
});
