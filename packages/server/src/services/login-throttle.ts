// Login attempts are limited per client address + username: after `maxFailures` failed attempts inside the
// window, that pair is refused until the window has passed, even with the right password. A success clears
// the pair. The clock is injected so tests move time instead of waiting.
import type { Clock } from '@migratekit/core';

export interface LoginThrottleOptions {
  maxFailures: number;
  windowMs: number;
  /** Bound on remembered pairs, so a flood of random usernames cannot grow memory without limit. */
  maxEntries: number;
}

interface Entry {
  failures: number;
  windowStart: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleOptions = {
  maxFailures: 5,
  windowMs: 15 * 60_000,
  maxEntries: 10_000,
};

export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock,
    private readonly options: LoginThrottleOptions = DEFAULT_LOGIN_THROTTLE,
  ) {}

  private key(ip: string, username: string): string {
    return `${ip}\u0000${username.toLowerCase()}`;
  }

  private current(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry !== undefined && now - entry.windowStart >= this.options.windowMs) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Seconds until another attempt is allowed, or 0 when the attempt may proceed. */
  retryAfterSeconds(ip: string, username: string): number {
    const now = this.clock.now().getTime();
    const entry = this.current(this.key(ip, username), now);
    if (entry === undefined || entry.failures < this.options.maxFailures) return 0;
    return Math.max(1, Math.ceil((entry.windowStart + this.options.windowMs - now) / 1000));
  }

  recordFailure(ip: string, username: string): void {
    const now = this.clock.now().getTime();
    const key = this.key(ip, username);
    const entry = this.current(key, now);
    if (entry !== undefined) {
      entry.failures += 1;
      return;
    }
    if (this.entries.size >= this.options.maxEntries) this.prune(now);
    this.entries.set(key, { failures: 1, windowStart: now });
  }

  recordSuccess(ip: string, username: string): void {
    this.entries.delete(this.key(ip, username));
  }

  private prune(now: number): void {
    for (const [key, entry] of this.entries) {
      if (now - entry.windowStart >= this.options.windowMs) this.entries.delete(key);
    }
    // Still full: drop the oldest (Map keeps insertion order).
    while (this.entries.size >= this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }
}
