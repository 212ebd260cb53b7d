import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ManualClock, MigrateKitError } from '@migratekit/core';
import { CloudStackClient } from './cloudstack-client';
import {
  CloudStackApiError,
  CloudStackJobTimeoutError,
  CloudStackResponseError,
  CloudStackTransportError,
  toMigrateKitError,
} from './errors';
import { computeSignature, parseExpires } from './signing';

interface Sent {
  method: string;
  params: Record<string, string>;
  at: number;
}

type Reply = { status?: number; body: unknown; contentType?: string } | Error;

/** A fetch that records each request and answers from a per-command script. */
function scriptedFetch(clock: ManualClock, script: Record<string, Reply[]>) {
  const sent: Sent[] = [];
  const fetchImpl = (url: string, init: RequestInit): Promise<Response> => {
    const query = init.method === 'GET' ? new URL(url).search.slice(1) : typeof init.body === 'string' ? init.body : '';
    const params = Object.fromEntries(new URLSearchParams(query));
    sent.push({ method: init.method ?? 'GET', params, at: clock.now().getTime() });
    const command = params.command ?? '';
    const queue = script[command];
    const reply = queue && queue.length > 1 ? queue.shift() : queue?.[0];
    if (reply === undefined) return Promise.reject(new Error(`no scripted reply for ${command}`));
    if (reply instanceof Error) return Promise.reject(reply);
    const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
    return Promise.resolve(
      new Response(text, {
        status: reply.status ?? 200,
        headers: { 'content-type': reply.contentType ?? 'application/json;charset=UTF-8' },
      }),
    );
  };
  return { sent, fetchImpl };
}

function makeClient(clock: ManualClock, script: Record<string, Reply[]>, pageSize = 500) {
  const { sent, fetchImpl } = scriptedFetch(clock, script);
  const client = new CloudStackClient({
    apiUrl: 'cloud.example:8080',
    apiKey: 'KEY',
    secretKey: 'SECRET',
    fetch: fetchImpl,
    clock,
    pageSize,
    retry: { attempts: 2, baseDelayMs: 100, maxDelayMs: 1000 },
    jobs: { initialIntervalMs: 1000, stepMs: 1000, maxIntervalMs: 3000, timeoutMs: 10_000 },
  });
  return { client, sent };
}

/** Runs a promise to completion, moving the manual clock whenever the code under test sleeps. */
async function drive<T>(clock: ManualClock, promise: Promise<T>, stepMs = 100): Promise<T> {
  let settled = false;
  const tracked = promise.finally(() => {
    settled = true;
  });
  tracked.catch(() => undefined);
  for (let i = 0; i < 10_000 && !settled; i++) {
    if (clock.pendingSleepers > 0) await clock.advance(stepMs);
    else await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return tracked;
}

test('requests are signed v3 with expires; reads go by GET, changes by POST', { timeout: 120_000 }, async () => {
  const clock = new ManualClock('2026-05-01T10:00:00Z');
  const { client, sent } = makeClient(clock, {
    listZones: [{ body: { listzonesresponse: { count: 1, zone: [{ id: 'z1', name: 'Zone1' }] } } }],
    deleteVolume: [{ body: { deletevolumeresponse: { success: true } } }],
  });
  assert.equal(client.apiUrl, 'http://cloud.example:8080/client/api');
  assert.deepEqual(await client.listZones({ name: 'Zone1' }), [{ id: 'z1', name: 'Zone1' }]);
  assert.deepEqual(await client.deleteVolume('v1'), { success: true });
  const [list, del] = sent;
  assert.equal(list?.method, 'GET');
  assert.equal(del?.method, 'POST');
  for (const request of sent) {
    const { signature, ...rest } = request.params;
    assert.equal(signature, computeSignature(rest, 'SECRET'));
    assert.equal(rest.signatureversion, '3');
    assert.equal(rest.apikey, 'KEY');
    assert.equal(rest.response, 'json');
    assert.equal(parseExpires(rest.expires ?? '')?.toISOString(), '2026-05-01T10:10:00.000Z');
  }
  assert.equal(list?.params.name, 'Zone1');
  assert.equal(del?.params.id, 'v1');
});

test('list calls fetch every page until count is reached; an empty list is {}', { timeout: 120_000 }, async () => {
  const clock = new ManualClock();
  const page = (ids: string[]) => ({ body: { listvolumesresponse: { count: 5, volume: ids.map((id) => ({ id })) } } });
  const { client, sent } = makeClient(clock, { listVolumes: [page(['a', 'b']), page(['c', 'd']), page(['e'])] }, 2);
  const volumes = await client.listVolumes({ virtualmachineid: 'vm1' });
  assert.deepEqual(
    volumes.map((v) => v.id),
    ['a', 'b', 'c', 'd', 'e'],
  );
  assert.deepEqual(
    sent.map((s) => [s.params.page, s.params.pagesize, s.params.virtualmachineid]),
    [
      ['1', '2', 'vm1'],
      ['2', '2', 'vm1'],
      ['3', '2', 'vm1'],
    ],
  );
  const empty = makeClient(clock, { listNetworks: [{ body: { listnetworksresponse: {} } }] });
  assert.deepEqual(await empty.client.listNetworks(), []);
  assert.equal(empty.sent.length, 1);
});

test(
  'async commands poll queryAsyncJobResult with a linear backoff until the job succeeds',
  { timeout: 120_000 },
  async () => {
    const clock = new ManualClock('2026-05-01T10:00:00Z');
    const pending = { body: { queryasyncjobresultresponse: { jobid: 'j1', jobstatus: 0 } } };
    const { client, sent } = makeClient(clock, {
      createVolume: [{ body: { createvolumeresponse: { jobid: 'j1', id: 'vol1' } } }],
      queryAsyncJobResult: [
        pending,
        pending,
        pending,
        {
          body: {
            queryasyncjobresultresponse: {
              jobid: 'j1',
              jobstatus: 1,
              jobresultcode: 0,
              jobresult: { volume: { id: 'vol1', state: 'Allocated' } },
            },
          },
        },
      ],
    });
    const submitted: unknown[] = [];
    const volume = await drive(
      clock,
      client.createVolume(
        { name: 'd1', zoneid: 'z', diskofferingid: 'o', size: 8 },
        { onSubmitted: (s) => submitted.push(s) },
      ),
    );
    assert.deepEqual(volume, { id: 'vol1', state: 'Allocated' });
    assert.deepEqual(submitted, [{ jobid: 'j1', id: 'vol1' }]);
    const polls = sent.filter((s) => s.params.command === 'queryAsyncJobResult');
    assert.equal(polls.length, 4);
    const start = sent[0]?.at ?? 0;
    // waits of 1 s, 2 s, 3 s, then capped at 3 s
    assert.deepEqual(
      polls.map((p) => p.at - start),
      [1000, 3000, 6000, 9000],
    );
    assert.ok(polls.every((p) => p.params.jobid === 'j1' && p.method === 'GET'));
  },
);

test('a failed job raises CloudStackApiError with the job error code and text', { timeout: 120_000 }, async () => {
  const clock = new ManualClock();
  const { client } = makeClient(clock, {
    attachVolume: [{ body: { attachvolumeresponse: { jobid: 'j2' } } }],
    queryAsyncJobResult: [
      {
        body: {
          queryasyncjobresultresponse: {
            jobid: 'j2',
            jobstatus: 2,
            jobresultcode: 431,
            jobresult: { errorcode: 431, errortext: 'Please specify a volume that is not attached to any VM.' },
          },
        },
      },
    ],
  });
  const error = await drive(clock, client.attachVolume({ id: 'v', virtualmachineid: 'vm' })).catch((e: unknown) => e);
  assert.ok(error instanceof CloudStackApiError);
  assert.equal(error.errorCode, 431);
  assert.equal(error.jobId, 'j2');
  assert.equal(error.errorText, 'Please specify a volume that is not attached to any VM.');
  const mapped = toMigrateKitError(error);
  assert.ok(mapped instanceof MigrateKitError);
  assert.equal(mapped.code, 'MKE_UPSTREAM_REJECTED');
  assert.equal(mapped.retryable, false);
});

test(
  'a job still pending at the deadline raises CloudStackJobTimeoutError (MKE_UPSTREAM_TIMEOUT)',
  { timeout: 120_000 },
  async () => {
    const clock = new ManualClock();
    const { client, sent } = makeClient(clock, {
      stopVirtualMachine: [{ body: { stopvirtualmachineresponse: { jobid: 'j3' } } }],
      queryAsyncJobResult: [{ body: { queryasyncjobresultresponse: { jobid: 'j3', jobstatus: 0 } } }],
    });
    const started = clock.now().getTime();
    const error = await drive(clock, client.stopVirtualMachine({ id: 'vm', forced: true })).catch((e: unknown) => e);
    assert.ok(error instanceof CloudStackJobTimeoutError);
    assert.equal(error.jobId, 'j3');
    assert.equal(clock.now().getTime() - started, 10_000);
    assert.equal(sent[0]?.params.forced, 'true');
    assert.equal((toMigrateKitError(error) as MigrateKitError).code, 'MKE_UPSTREAM_TIMEOUT');
  },
);

test(
  'reads and job polls are retried on transport errors and 429; creates never are',
  { timeout: 120_000 },
  async () => {
    const clock = new ManualClock();
    const refused = new TypeError('fetch failed');
    const limited = { status: 429, body: { listzonesresponse: { errorcode: 429, errortext: 'too many' } } };
    const { client, sent } = makeClient(clock, {
      listZones: [refused, limited, { body: { listzonesresponse: { count: 1, zone: [{ id: 'z' }] } } }],
      createVolume: [refused],
      deployVirtualMachine: [
        { status: 429, body: { deployvirtualmachineresponse: { errorcode: 429, errortext: 'x' } } },
      ],
    });
    assert.equal((await drive(clock, client.listZones())).length, 1);
    assert.equal(sent.filter((s) => s.params.command === 'listZones').length, 3);

    const createError = await drive(clock, client.createVolume({ diskofferingid: 'o' })).catch((e: unknown) => e);
    assert.ok(createError instanceof CloudStackTransportError);
    assert.equal(sent.filter((s) => s.params.command === 'createVolume').length, 1);
    assert.equal((toMigrateKitError(createError) as MigrateKitError).code, 'MKE_UPSTREAM_UNREACHABLE');

    const deployError = await drive(
      clock,
      client.deployVirtualMachine({ zoneid: 'z', serviceofferingid: 's', templateid: 't' }),
    ).catch((e: unknown) => e);
    assert.ok(deployError instanceof CloudStackApiError);
    assert.equal(deployError.errorCode, 429);
    assert.equal(sent.filter((s) => s.params.command === 'deployVirtualMachine').length, 1);

    const exhausted = makeClient(clock, { listZones: [refused] });
    const readError = await drive(clock, exhausted.client.listZones()).catch((e: unknown) => e);
    assert.ok(readError instanceof CloudStackTransportError);
    assert.equal(exhausted.sent.length, 3);
  },
);

test('job polling survives a transport error on queryAsyncJobResult', { timeout: 120_000 }, async () => {
  const clock = new ManualClock();
  const { client, sent } = makeClient(clock, {
    detachVolume: [{ body: { detachvolumeresponse: { jobid: 'j4' } } }],
    queryAsyncJobResult: [
      new TypeError('fetch failed'),
      { body: { queryasyncjobresultresponse: { jobid: 'j4', jobstatus: 1, jobresult: { volume: { id: 'v' } } } } },
    ],
  });
  assert.deepEqual(await drive(clock, client.detachVolume({ id: 'v' })), { id: 'v' });
  assert.equal(sent.filter((s) => s.params.command === 'queryAsyncJobResult').length, 2);
});

test('errors are typed: 401 is an auth error, an HTML page is a wrong URL', { timeout: 120_000 }, async () => {
  const clock = new ManualClock();
  const { client } = makeClient(clock, {
    listZones: [
      {
        status: 401,
        body: {
          listzonesresponse: {
            uuidList: [],
            errorcode: 401,
            errortext: 'unable to verify user credentials and/or request signature',
          },
        },
      },
    ],
    listCapabilities: [{ status: 404, body: '<html>Not Found</html>', contentType: 'text/html' }],
  });
  const auth = await client.listZones().catch((e: unknown) => e);
  assert.ok(auth instanceof CloudStackApiError);
  assert.equal(auth.isAuthError, true);
  assert.equal(auth.csErrorCode, undefined);
  assert.equal((toMigrateKitError(auth) as MigrateKitError).code, 'MKE_CLOUDSTACK_AUTH');
  const wrongUrl = await client.listCapabilities().catch((e: unknown) => e);
  assert.ok(wrongUrl instanceof CloudStackResponseError);
  assert.equal(wrongUrl.httpStatus, 404);
  assert.equal((toMigrateKitError(wrongUrl) as MigrateKitError).code, 'MKE_UPSTREAM_BAD_URL');
});

test(
  'JSON that is not wrapped in a <command>response object is another service, not CloudStack',
  { timeout: 120_000 },
  async () => {
    const clock = new ManualClock();
    const { client } = makeClient(clock, {
      listCapabilities: [{ status: 404, body: { error: { code: 'NOT_FOUND', message: 'no such route' } } }],
    });
    const other = await client.listCapabilities().catch((e: unknown) => e);
    assert.ok(other instanceof CloudStackResponseError);
    assert.equal((toMigrateKitError(other) as MigrateKitError).code, 'MKE_UPSTREAM_BAD_URL');
  },
);

test(
  'a synchronous 530 maps to the retryable MKE_UPSTREAM_ERROR with its cserrorcode',
  { timeout: 120_000 },
  async () => {
    const clock = new ManualClock();
    const { client } = makeClient(clock, {
      deleteVolume: [
        {
          status: 530,
          body: { deletevolumeresponse: { uuidList: [], errorcode: 530, cserrorcode: 4250, errortext: 'boom' } },
        },
      ],
    });
    const error = await client.deleteVolume('v').catch((e: unknown) => e);
    assert.ok(error instanceof CloudStackApiError);
    assert.equal(error.csErrorCode, 4250);
    const mapped = toMigrateKitError(error) as MigrateKitError;
    assert.equal(mapped.code, 'MKE_UPSTREAM_ERROR');
    assert.equal(mapped.details?.cserrorcode, 4250);
  },
);
