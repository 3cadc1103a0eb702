// Sessions for clients that keep no cookies: an unguessable token travels in every URL.
// The store keeps only a hash of each token; an lru-cache in front spares a query per request,
// and the store behind it means a restart (or another gateway process) logs nobody out.
import { createHash, randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Store } from '../store/store.ts';

export interface Session {
  token: string;
  login: string;
  cellId: string;
  createdAt: number;
  seenAt: number;
}

export interface SessionLimits {
  /** Ends a session nobody used for this long (ms). */
  idle: number;
  /** Ends every session this long after login, used or not (ms). */
  absolute: number;
}

export const DEFAULT_LIMITS: SessionLimits = { idle: 30 * 60_000, absolute: 12 * 3600_000 };
// Last-seen times are written at most this often: a write per page view would cost more than it tells.
const TOUCH_EVERY = 60_000;

const hash = (token: string) => createHash('sha256').update(token).digest('base64url');
const TOKEN = /^[A-Za-z0-9_-]{22}$/;

type SessionRow = { login: string; cell_id: string; created_at: number; seen_at: number };

export class Sessions {
  readonly #store: Store;
  readonly #limits: SessionLimits;
  readonly #now: () => number;
  // The TTL bounds how long a logout made through another gateway process goes unnoticed here.
  readonly #cache = new LRUCache<string, Session>({ max: 50_000, ttl: 10_000 });

  constructor(store: Store, limits: SessionLimits = DEFAULT_LIMITS, now: () => number = Date.now) {
    this.#store = store;
    this.#limits = limits;
    this.#now = now;
  }

  /** A new session with a fresh 128-bit token from the CSPRNG. */
  async start(login: string, cellId: string): Promise<Session> {
    const now = this.#now();
    const session = { token: randomBytes(16).toString('base64url'), login, cellId, createdAt: now, seenAt: now };
    await this.#store.run('INSERT INTO sessions (token_hash, login, cell_id, created_at, seen_at) VALUES (?, ?, ?, ?, ?)', [hash(session.token), login, cellId, now, now]);
    this.#cache.set(session.token, session);
    return session;
  }

  /** The live session behind a token, or null when it is unknown, idle too long or too old. */
  async resume(token: string): Promise<Session | null> {
    if (!TOKEN.test(token)) return null;
    let session = this.#cache.get(token);
    if (!session) {
      const row = await this.#store.get<SessionRow>('SELECT login, cell_id, created_at, seen_at FROM sessions WHERE token_hash = ?', [hash(token)]);
      if (!row) return null;
      session = { token, login: row.login, cellId: row.cell_id, createdAt: Number(row.created_at), seenAt: Number(row.seen_at) };
      this.#cache.set(token, session);
    }
    const now = this.#now();
    if (now - session.seenAt > this.#limits.idle || now - session.createdAt > this.#limits.absolute) {
      await this.end(token);
      return null;
    }
    if (now - session.seenAt > TOUCH_EVERY) {
      session.seenAt = now;
      await this.#store.run('UPDATE sessions SET seen_at = ? WHERE token_hash = ?', [now, hash(token)]);
    }
    return session;
  }

  async end(token: string): Promise<void> {
    this.#cache.delete(token);
    await this.#store.run('DELETE FROM sessions WHERE token_hash = ?', [hash(token)]);
  }
}
