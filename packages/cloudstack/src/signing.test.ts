import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  computeSignature,
  encodeSignedParams,
  formatExpires,
  javaUrlEncode,
  normalizeApiUrl,
  parseExpires,
  signingString,
} from './signing';
import { flattenParams } from './params';

const vector = {
  apikey: 'plgWJfZK4gyS3mOMTVmjUVg-X-jlWlnfaUJ9GAbBbf9EdM-kAYMmAiLqzzq1ElZLYq_u38zCm0bewzGUdP66mg',
  secret: 'VDaACYb0LV9eNjTetIOElcVQkvJck_J_QljX_FcHRj87ZKiy0z0ty0ZsYBkoXkY9b7eq1EhwJaw7FF3akA3KBQ',
};

test('the documented test vector (dev.rst) signs to TTpdDq/7j/J58XCRHomKoQXEQds=', { timeout: 120_000 }, () => {
  const params = { apikey: vector.apikey, command: 'listUsers', response: 'json' };
  assert.equal(
    signingString(params),
    'apikey=plgwjfzk4gys3momtvmjuvg-x-jlwlnfauj9gabbbf9edm-kaymmailqzzq1elzlyq_u38zcm0bewzgudp66mg&command=listusers&response=json',
  );
  const signature = computeSignature(params, vector.secret);
  assert.equal(signature, 'TTpdDq/7j/J58XCRHomKoQXEQds=');
  assert.ok(encodeSignedParams(params, signature).endsWith('&signature=TTpdDq%2F7j%2FJ58XCRHomKoQXEQds%3D'));
});

test("Java escaping: ! ' ( ) ~ are escaped, * . - _ are not, space is %20 and + is %2B", { timeout: 120_000 }, () => {
  assert.equal(javaUrlEncode("a!b'c(d)e~f*g.h-i_j k+l"), 'a%21b%27c%28d%29e%7Ef*g.h-i_j%20k%2Bl');
  assert.equal(javaUrlEncode('/=&?,:'), '%2F%3D%26%3F%2C%3A');
  assert.equal(javaUrlEncode('é€'), '%C3%A9%E2%82%AC');
});

test('names sort case-sensitively before lowercasing (templateId before templatefilter)', { timeout: 120_000 }, () => {
  const s = signingString({ templatefilter: 'all', templateId: 'X', command: 'listTemplates' });
  assert.equal(s, 'command=listtemplates&templateid=x&templatefilter=all');
  const lower = signingString({ templatefilter: 'all', templateid: 'X', command: 'listTemplates' });
  assert.equal(lower, 'command=listtemplates&templatefilter=all&templateid=x');
});

test(
  'map parameters: [ sorts before lowercase letters; signature excluded from the signed string',
  { timeout: 120_000 },
  () => {
    const params = flattenParams({
      iptonetworklist: [
        { networkid: 'n1', ip: '10.0.0.5' },
        { networkid: 'n2', mac: '02:00:00:00:00:01' },
      ],
      ipaddress: '1.2.3.4',
      signature: 'ignored',
    });
    assert.equal(params['iptonetworklist[1].mac'], '02:00:00:00:00:01');
    assert.equal(
      signingString(params),
      'ipaddress=1.2.3.4&iptonetworklist[0].ip=10.0.0.5&iptonetworklist[0].networkid=n1&iptonetworklist[1].mac=02%3a00%3a00%3a00%3a00%3a01&iptonetworklist[1].networkid=n2',
    );
  },
);

test(
  'flattenParams: CSV for string lists, booleans and numbers as text, undefined dropped',
  { timeout: 120_000 },
  () => {
    assert.deepEqual(
      flattenParams({ networkids: ['a', 'b'], startvm: false, size: 10, name: undefined, details: { k: 'v' } }),
      {
        networkids: 'a,b',
        startvm: 'false',
        size: '10',
        'details[0].k': 'v',
      },
    );
  },
);

test('expires: formatted as +0000 and parsed in every accepted form', { timeout: 120_000 }, () => {
  const date = new Date('2026-03-04T05:06:07.000Z');
  assert.equal(formatExpires(date), '2026-03-04T05:06:07+0000');
  for (const text of [
    '2026-03-04T05:06:07+0000',
    '2026-03-04T05:06:07Z',
    '2026-03-04T05:06:07.000Z',
    '2026-03-04T10:36:07+05:30',
    '2026-03-04T10:36:07+0530',
    '2026-03-04T05:06:07Z+0000',
  ]) {
    assert.equal(parseExpires(text)?.getTime(), date.getTime(), text);
  }
  assert.equal(parseExpires('2026-03-04 05:06:07'), undefined);
  assert.equal(parseExpires('tomorrow'), undefined);
  assert.equal(parseExpires('2026-03-04T05:06:07'), undefined);
});

test('normalizeApiUrl adds http:// and /client/api, keeps https and explicit paths', { timeout: 120_000 }, () => {
  assert.equal(normalizeApiUrl('10.0.0.5:8080'), 'http://10.0.0.5:8080/client/api');
  assert.equal(normalizeApiUrl('cloud.example.com:8080/'), 'http://cloud.example.com:8080/client/api');
  assert.equal(normalizeApiUrl('https://cloud.example.com'), 'https://cloud.example.com/client/api');
  assert.equal(normalizeApiUrl('http://h:8080/client'), 'http://h:8080/client/api');
  assert.equal(normalizeApiUrl('http://h:8080/client/api'), 'http://h:8080/client/api');
  assert.throws(() => normalizeApiUrl('ftp://h'));
});
