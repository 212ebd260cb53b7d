import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ERROR_CATALOGUE, MigrateKitError, type ErrorCode } from './errors';

test('every catalogue entry has a well-formed code, an HTTP error status and a message', { timeout: 120_000 }, () => {
  const codes = Object.keys(ERROR_CATALOGUE) as ErrorCode[];
  assert.ok(codes.length > 10);
  for (const code of codes) {
    const spec = ERROR_CATALOGUE[code];
    assert.match(code, /^MKE_[A-Z0-9_]+$/);
    assert.ok(spec.status >= 400 && spec.status < 600, `${code} status ${spec.status}`);
    assert.ok(spec.message.length > 0 && !spec.message.endsWith('.'), `${code} message`);
    // A 4xx caused by the caller's input is never worth retrying unchanged, except rate limiting.
    if (spec.status >= 400 && spec.status < 500 && code !== 'MKE_RATE_LIMITED')
      assert.equal(spec.retryable, false, code);
  }
});

test('MigrateKitError carries code, status, field and cause', { timeout: 120_000 }, () => {
  const cause = new Error('low level');
  const error = new MigrateKitError('MKE_VALIDATION', { message: 'name is required', field: 'name', cause });
  assert.equal(error.code, 'MKE_VALIDATION');
  assert.equal(error.status, 400);
  assert.equal(error.field, 'name');
  assert.equal(error.message, 'name is required');
  assert.equal(error.cause, cause);
  assert.equal(new MigrateKitError('MKE_NOT_FOUND').message, 'Not found');
});
