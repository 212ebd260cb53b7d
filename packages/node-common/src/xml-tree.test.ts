import assert from 'node:assert/strict';
import { test } from 'node:test';
import { escapeXml } from './xml-escape';
import { booleanOf, child, childrenNamed, numberOf, parseXml, textOf } from './xml-tree';

test(
  'xsi:type (vCenter) and XMLSchema-instance:type (vcsim) both read as xsiType, distinct from a plain type attribute',
  { timeout: 120_000 },
  () => {
    const vcenter = parseXml(
      '<r xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><val xsi:type="ManagedObjectReference" type="Folder">group-v3</val></r>',
    );
    const val = child(vcenter, 'val');
    assert.equal(val?.xsiType, 'ManagedObjectReference');
    assert.equal(val?.attrs.type, 'Folder');
    assert.equal(val?.text, 'group-v3');

    const vcsim = parseXml(
      '<r><val xmlns:XMLSchema-instance="http://www.w3.org/2001/XMLSchema-instance" ' +
        'XMLSchema-instance:type="ArrayOfVirtualDevice"><VirtualDevice XMLSchema-instance:type="VirtualDisk"><key>2000</key>' +
        '</VirtualDevice></val></r>',
    );
    const array = child(vcsim, 'val');
    assert.equal(array?.xsiType, 'ArrayOfVirtualDevice');
    assert.equal(array?.children[0]?.xsiType, 'VirtualDisk');
    assert.equal(numberOf(array?.children[0], 'key'), 2000);
  },
);

test('prefixed xsi:type values lose their prefix; element prefixes are dropped', { timeout: 120_000 }, () => {
  const doc = parseXml(
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="x"><soapenv:Body>' +
      '<value xsi:type="xsd:string">TRUE</value></soapenv:Body></soapenv:Envelope>',
  );
  assert.equal(doc.name, 'Envelope');
  assert.equal(child(child(doc, 'Body'), 'value')?.xsiType, 'string');
});

test(
  'text keeps entities decoded and spaces intact; whitespace between elements is ignored',
  { timeout: 120_000 },
  () => {
    const doc = parseXml(
      '<a>\n  <name>Keyboard </name>\n  <name>R&amp;D &lt;prod&gt; &apos;x&apos;</name>\n  <b>true</b>\n</a>',
    );
    assert.deepEqual(
      childrenNamed(doc, 'name').map((n) => n.text),
      ['Keyboard ', "R&D <prod> 'x'"],
    );
    assert.equal(doc.text, '');
    assert.equal(booleanOf(doc, 'b'), true);
    assert.equal(textOf(doc, 'missing'), undefined);
    assert.equal(numberOf(doc, 'name'), undefined);
  },
);

test('long numbers stay exact up to 2^53 and are not coerced by the parser', { timeout: 120_000 }, () => {
  const doc = parseXml(
    '<a><capacityInBytes>2199023255552</capacityInBytes><mac>00:50:56:01:02:03</mac><id>007</id></a>',
  );
  assert.equal(numberOf(doc, 'capacityInBytes'), 2 ** 41);
  assert.equal(textOf(doc, 'mac'), '00:50:56:01:02:03');
  assert.equal(textOf(doc, 'id'), '007');
});

test('escapeXml escapes the five XML metacharacters and round-trips through the parser', { timeout: 120_000 }, () => {
  const text = `a & b <c> "d" 'e'`;
  assert.equal(escapeXml(text), 'a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;');
  assert.equal(parseXml(`<r v="${escapeXml(text)}">${escapeXml(text)}</r>`).text, text);
  assert.equal(parseXml(`<r v="${escapeXml(text)}"/>`).attrs.v, text);
});
