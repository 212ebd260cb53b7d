// The printed first-admin password (`<dataDir>/admin-password`, written by `migratekit dev`) is removed as soon
// as that password is changed, and the change ends the admin's other sessions.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startDevStack } from '../src/dev/dev-stack';
import { createLogger } from '../src/logging/logger';
import { FIRST_ADMIN_PASSWORD_FILE } from '../src/services/bootstrap-admin';

test(
  'changing the first admin password removes the printed password file and ends other sessions',
  { timeout: 120_000 },
  async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'mk-first-admin-'));
    t.after(() => rmSync(dataDir, { recursive: true, force: true }));
    const env = { MIGRATEKIT_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'silent' };
    const stack = await startDevStack({
      env,
      logger: createLogger({ level: 'silent' }),
      estate: false,
      out: () => undefined,
    });
    t.after(() => stack.close());
    const passwordFile = join(dataDir, FIRST_ADMIN_PASSWORD_FILE);
    assert.ok(existsSync(passwordFile));
    const password = stack.admin.password as string;

    const login = async (secret: string): Promise<string> => {
      const response = await fetch(`${stack.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ username: 'admin', password: secret }),
      });
      assert.equal(response.status, 200);
      return (response.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    };
    const mine = await login(password);
    const other = await login(password);
    const changed = await fetch(`${stack.url}/api/v1/auth/password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: mine },
      body: JSON.stringify({ current_password: password, new_password: 'a-new-admin-password' }),
    });
    assert.equal(changed.status, 204);
    assert.ok(!existsSync(passwordFile), 'the printed password is gone with the password');
    const me = (cookie: string) => fetch(`${stack.url}/api/v1/auth/me`, { headers: { cookie } });
    assert.equal((await me(mine)).status, 200, 'the session that changed it goes on');
    assert.equal((await me(other)).status, 401, 'the other session ended');
  },
);
