import { randomUUID } from 'node:crypto';
import type { Clock } from '@migratekit/core';
import { data } from './vim-value';
import type { DataObject } from './vim-value';

// Login sessions keyed by the vmware_soap_session cookie.

export interface SimSession {
  key: string;
  userName: string;
  loginTime: Date;
  lastActiveTime: Date;
  ipAddress: string;
  userAgent: string;
  callCount: number;
}

export const SESSION_COOKIE = 'vmware_soap_session';

export class SessionStore {
  private readonly sessions = new Map<string, SimSession>();

  constructor(private readonly clock: Clock) {}

  create(userName: string, ipAddress: string, userAgent: string): SimSession {
    const now = this.clock.now();
    const s: SimSession = {
      key: randomUUID(),
      userName,
      loginTime: now,
      lastActiveTime: now,
      ipAddress,
      userAgent,
      callCount: 0,
    };
    this.sessions.set(s.key, s);
    return s;
  }

  /** The session named by a Cookie header (quoted or not), touched as active. */
  fromCookieHeader(header: string | undefined): SimSession | undefined {
    if (!header) return undefined;
    for (const part of header.split(';')) {
      const eq = part.indexOf('=');
      if (eq < 0 || part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
      const key = part
        .slice(eq + 1)
        .trim()
        .replace(/^"|"$/g, '');
      const s = this.sessions.get(key);
      if (s) {
        s.lastActiveTime = this.clock.now();
        s.callCount += 1;
        return s;
      }
    }
    return undefined;
  }

  get(key: string | undefined): SimSession | undefined {
    return key === undefined ? undefined : this.sessions.get(key);
  }

  remove(key: string): void {
    this.sessions.delete(key);
  }

  keys(): string[] {
    return [...this.sessions.keys()];
  }

  get size(): number {
    return this.sessions.size;
  }
}

export function userSession(s: SimSession): DataObject {
  return data('UserSession', {
    key: s.key,
    userName: s.userName,
    fullName: s.userName,
    loginTime: s.loginTime,
    lastActiveTime: s.lastActiveTime,
    locale: 'en_US',
    messageLocale: 'en_US',
    extensionSession: false,
    ipAddress: s.ipAddress,
    userAgent: s.userAgent,
    callCount: s.callCount,
  });
}
