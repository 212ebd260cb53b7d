import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { ManualClock } from '@migratekit/core';
import {
  CloudStackClient,
  CloudStackResponseError,
  computeSignature,
  encodeSignedParams,
  formatExpires,
} from '@migratekit/cloudstack';
import { DEFAULT_SEED, DEFAULT_ZONE_ID } from '../src/default-seed';
import { API_KEY, SECRET_KEY, startFixture, type SimFixture } from './sim-fixture';

const CUSTOM_OFFERING = String(DEFAULT_SEED.diskOfferings.find((o) => o.name === 'Custom')?.id);
const AUTH_TEXT = 'unable to verify user credentials and/or request signature';

let fx: SimFixture;
let clock: ManualClock;
before(async () => {
  clock = new ManualClock(new Date());
  fx = await startFixture({ clock, jobLatencyMs: 1000 });
});
after(() => fx.close());

/** Signs `params` as given (names as they are) and sends them by GET or POST. */
async function send(
  params: Record<string, string>,
  options: { method?: 'GET' | 'POST'; secret?: string } = {},
): Promise<{ status: number; body: Record<string, Record<string, unknown>> }> {
  const signature = computeSignature(params, options.secret ?? SECRET_KEY);
  const encoded = encodeSignedParams(params, signature);
  const method = options.method ?? 'GET';
  const response =
    method === 'GET'
      ? await fetch(`${fx.sim.url}?${encoded}`)
      : await fetch(fx.sim.url, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: encoded,
        });
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  return { status: response.status, body: (await response.json()) as Record<string, Record<string, unknown>> };
}

function signed(command: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    command,
    response: 'json',
    apikey: API_KEY,
    signatureversion: '3',
    expires: formatExpires(new Date(clock.now().getTime() + 60_000)),
    ...extra,
  };
}

test('a bad signature, an unknown key or an expired v3 request get the 401 shape', { timeout: 120_000 }, async () => {
  const expected = { listzonesresponse: { uuidList: [], errorcode: 401, errortext: AUTH_TEXT } };
  assert.deepEqual(await send(signed('listZones'), { secret: 'wrong' }), { status: 401, body: expected });
  assert.deepEqual(await send(signed('listZones', { apikey: 'someone-else' })), { status: 401, body: expected });
  const past = formatExpires(new Date(clock.now().getTime() - 1000));
  assert.deepEqual(await send(signed('listZones', { expires: past })), { status: 401, body: expected });
  const { expires: _dropped, ...noExpires } = signed('listZones');
  assert.equal((await send(noExpires)).status, 401);
  // Only the exact string "3" turns the expiry check on.
  assert.equal((await send(signed('listZones', { signatureversion: '2', expires: past }))).status, 200);
});

test(
  'names are matched like CloudStack: apiKey/signatureVersion/expires in any case, by GET and POST',
  { timeout: 120_000 },
  async () => {
    const params = {
      command: 'listZones',
      response: 'json',
      apiKey: API_KEY,
      signatureVersion: '3',
      expires: '2099-01-01T00:00:00+0000',
      name: 'Zone-DC1',
    };
    for (const method of ['GET', 'POST'] as const) {
      const { status, body } = await send(params, { method });
      assert.equal(status, 200, method);
      assert.equal(body.listzonesresponse?.count, 1);
    }
    // Java escaping of ! ' ( ) ~ in values must match on both sides.
    const tricky = await send(signed('listVolumes', { keyword: "it's (a) ~test! + more*" }));
    assert.deepEqual(tricky, { status: 200, body: { listvolumesresponse: {} } });
  },
);

test(
  'a map parameter that is not name[index].field is a 430, before any handler runs',
  { timeout: 120_000 },
  async () => {
    const malformed = await send(signed('deployVirtualMachine', { 'details[x].cpuNumber': '2' }));
    assert.deepEqual(malformed, {
      status: 430,
      body: {
        deployvirtualmachineresponse: {
          uuidList: [],
          errorcode: 430,
          cserrorcode: 9999,
          errortext:
            'Unable to decode parameter details[x].cpuNumber; if specifying an object array, please use parameter[index].field=XXX, e.g. userGroupList[0].group=httpGroup',
        },
      },
    });
    const mixedCase = await send(signed('listNetworks', { Type: 'L2', ZoneId: DEFAULT_ZONE_ID }));
    assert.equal(mixedCase.body.listnetworksresponse?.count, 2, 'names are lower-cased after the signature check');
  },
);

test(
  'unknown commands get 432 in errorresponse; an empty list is {}; count is the total across pages',
  { timeout: 120_000 },
  async () => {
    assert.deepEqual(await send(signed('listFoo')), {
      status: 432,
      body: { errorresponse: { uuidList: [], errorcode: 432, errortext: 'Unknown API command: listFoo' } },
    });
    assert.deepEqual((await send(signed('listSnapshots'))).body, { listsnapshotsresponse: {} });
    const page2 = await send(signed('listNetworks', { page: '2', pagesize: '3' }));
    assert.equal(page2.body.listnetworksresponse?.count, DEFAULT_SEED.networks.length);
    assert.equal((page2.body.listnetworksresponse?.network as unknown[]).length, 3);
    const l2 = await send(signed('listNetworks', { type: 'L2' }));
    assert.deepEqual(
      (l2.body.listnetworksresponse?.network as { name: string }[]).map((n) => n.name),
      ['Lab-L2-Test', 'Dev-L2-Bubble'],
    );
  },
);

test(
  'async create: {jobid, id} at once, listed with jobstatus 0 while pending, then the job result',
  { timeout: 120_000 },
  async () => {
    const submit = await send(
      signed('createVolume', {
        zoneid: DEFAULT_ZONE_ID,
        diskofferingid: CUSTOM_OFFERING,
        size: '1',
        name: 'pending-one',
      }),
      { method: 'POST' },
    );
    assert.equal(submit.status, 200);
    const { jobid, id } = submit.body.createvolumeresponse as { jobid: string; id: string };
    assert.match(jobid, /^[0-9a-f-]{36}$/);
    assert.match(id, /^[0-9a-f-]{36}$/);

    const listed = await send(signed('listVolumes', { id }));
    const [volume] = listed.body.listvolumesresponse?.volume as Record<string, unknown>[];
    assert.equal(volume?.jobid, jobid);
    assert.equal(volume?.jobstatus, 0);
    assert.equal(volume?.state, 'Allocated');

    const pending = (await send(signed('queryAsyncJobResult', { jobid }))).body.queryasyncjobresultresponse;
    assert.equal(pending?.jobstatus, 0);
    assert.equal(pending?.jobresultcode, 0);
    assert.equal(pending?.jobresult, undefined);
    assert.equal(pending?.jobinstancetype, 'Volume');
    assert.equal(pending?.jobinstanceid, id);
    assert.match(String(pending?.cmd), /CreateVolumeCmd/);

    await clock.advance(1000);
    await fx.sim.simulator.settle();
    const done = (await send(signed('queryAsyncJobResult', { jobid }))).body.queryasyncjobresultresponse;
    assert.equal(done?.jobstatus, 1);
    assert.equal(done?.jobresulttype, 'object');
    const result = (done?.jobresult as { volume: Record<string, unknown> }).volume;
    assert.equal(result.id, id);
    assert.equal(result.jobid, undefined);
    assert.equal(typeof result.size, 'number');
    const after = await send(signed('listVolumes', { id }));
    assert.equal((after.body.listvolumesresponse?.volume as Record<string, unknown>[])[0]?.jobstatus, undefined);

    // A failed precondition of a non-create async command ends the job with status 2 and the error.
    const detach = (await send(signed('detachVolume', { id }), { method: 'POST' })).body.detachvolumeresponse;
    await clock.advance(1000);
    await fx.sim.simulator.settle();
    const failed = (await send(signed('queryAsyncJobResult', { jobid: String(detach?.jobid) }))).body
      .queryasyncjobresultresponse;
    assert.equal(failed?.jobstatus, 2);
    assert.equal(failed?.jobresultcode, 431);
    assert.deepEqual(failed?.jobresult, { errorcode: 431, errortext: 'The specified volume is not attached to a VM.' });
    assert.equal((await send(signed('deleteVolume', { id }), { method: 'POST' })).status, 200);
  },
);

test(
  'a URL that is not the API answers 404 HTML, which the client reports as a wrong URL',
  { timeout: 120_000 },
  async () => {
    const wrong = new CloudStackClient({
      apiUrl: `http://${fx.sim.hostPort}/api`,
      apiKey: API_KEY,
      secretKey: SECRET_KEY,
    });
    const error = await wrong.listZones().catch((e: unknown) => e);
    assert.ok(error instanceof CloudStackResponseError);
    assert.equal(error.httpStatus, 404);
  },
);

test(
  'VM transitions are visible while jobs run: Starting then Running, Stopping then Stopped',
  { timeout: 120_000 },
  async () => {
    const network = String(DEFAULT_SEED.networks.find((n) => n.name === 'Prod-App-VLAN150')?.id);
    const deploy = await send(
      signed('deployVirtualMachine', {
        zoneid: DEFAULT_ZONE_ID,
        serviceofferingid: String(DEFAULT_SEED.serviceOfferings[0]?.id),
        templateid: String(DEFAULT_SEED.templates[0]?.id),
        networkids: network,
        name: 'transitions',
      }),
      { method: 'POST' },
    );
    const { id } = deploy.body.deployvirtualmachineresponse as { id: string };
    const state = async () =>
      (
        (await send(signed('listVirtualMachines', { id }))).body.listvirtualmachinesresponse?.virtualmachine as {
          state: string;
          jobstatus?: number;
        }[]
      )[0];
    const pending = await state();
    assert.equal(pending?.state, 'Starting');
    assert.equal(pending?.jobstatus, 0);
    await clock.advance(1000);
    await fx.sim.simulator.settle();
    assert.equal((await state())?.state, 'Running');
    assert.equal((await state())?.jobstatus, undefined);

    await send(signed('stopVirtualMachine', { id }), { method: 'POST' });
    assert.equal((await state())?.state, 'Stopping');
    // A second stop while the first runs is refused inside its job.
    const again = (await send(signed('stopVirtualMachine', { id }), { method: 'POST' })).body
      .stopvirtualmachineresponse;
    await clock.advance(1000);
    await fx.sim.simulator.settle();
    assert.equal((await state())?.state, 'Stopped');
    const second = (await send(signed('queryAsyncJobResult', { jobid: String(again?.jobid) }))).body
      .queryasyncjobresultresponse;
    assert.equal(second?.jobstatus, 2);
    assert.equal(second?.jobresultcode, 530);
    await send(signed('destroyVirtualMachine', { id, expunge: 'true' }), { method: 'POST' });
    await clock.advance(1000);
    await fx.sim.simulator.settle();
    assert.equal(
      (await send(signed('listVirtualMachines', { id }))).body.listvirtualmachinesresponse?.virtualmachine,
      undefined,
    );
  },
);
