// Login throttling, per login and per client address, with delays that grow with each failure.
// Kept in the dispatch store so that every gateway process counts the same failures.
import type { Store } from '../store/store.ts';
import { CoreError } from '../errors.ts';

export interface ThrottleRules {
  /** Failures allowed before any delay. */
  free: number;
  /** The first delay (ms); each further failure doubles it. */
  base: number;
  /** The longest delay (ms). */
  max: number;
  /** A key with no failure for this long starts afresh (ms). */
  forget: number;
}

export const DEFAULT_RULES: ThrottleRules = { free: 3, base: 2_000, max: 15 * 60_000, forget: 3600_000 };

type Row = { failures: number; blocked_until: number; updated_at: number };

export class LoginThrottle {
  readonly #store: Store;
  readonly #rules: ThrottleRules;
  readonly #now: () => number;

  constructor(store: Store, rules: Partial<ThrottleRules> = {}, now: () => number = Date.now) {
    this.#store = store;
    this.#rules = { ...DEFAULT_RULES, ...rules };
    this.#now = now;
  }

  /**
   * Refuses an attempt while any of its keys is waiting out a delay. The message is the same
   * whether or not the login exists, so it tells an attacker nothing the first step does not.
   */
  async check(keys: readonly string[]): Promise<void> {
    const now = this.#now();
    for (const key of keys) {
      const row = await this.#store.get<Row>('SELECT failures, blocked_until, updated_at FROM login_throttle WHERE throttle_key = ?', [key]);
      if (row && Number(row.blocked_until) > now) {
        const seconds = Math.ceil((Number(row.blocked_until) - now) / 1000);
        throw new CoreError('throttled', `Too many failed attempts. Try again in ${seconds} s.`);
      }
    }
  }

  /** Counts a failure against every key; past the free ones, each doubles the delay. */
  async failed(keys: readonly string[]): Promise<void> {
    const now = this.#now();
    for (const key of keys) {
      await this.#store.transaction(async (tx) => {
        const row = await tx.get<Row>('SELECT failures, blocked_until, updated_at FROM login_throttle WHERE throttle_key = ?', [key]);
        const failures = row && now - Number(row.updated_at) < this.#rules.forget ? Number(row.failures) + 1 : 1;
        const over = failures - this.#rules.free;
        const blockedUntil = over > 0 ? now + Math.min(this.#rules.max, this.#rules.base * 2 ** Math.min(over - 1, 30)) : 0;
        if (row) await tx.run('UPDATE login_throttle SET failures = ?, blocked_until = ?, updated_at = ? WHERE throttle_key = ?', [failures, blockedUntil, now, key]);
        else await tx.run('INSERT INTO login_throttle (throttle_key, failures, blocked_until, updated_at) VALUES (?, ?, ?, ?)', [key, failures, blockedUntil, now]);
      });
    }
  }

  /** A success clears the login's count (an address keeps its own: one user's success says nothing of the rest). */
  async succeeded(key: string): Promise<void> {
    await this.#store.run('DELETE FROM login_throttle WHERE throttle_key = ?', [key]);
  }
}
