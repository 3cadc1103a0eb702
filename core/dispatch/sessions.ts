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
  /** The secret HTML forms carry back, so that another site cannot post in this session's name. */
  csrf: string;
  /** Locked databases opened in this session (`<cell>:<db>`), with when each unlock ends (ms). */
  unlocks: Record<string, number>;
}

export interface SessionLimits {
  /** Ends a session nobody used for this long (ms). */
  idle: number;
  /** Ends every session this long after login, used or not (ms). */
  absolute: number;
  /** Sessions one user may hold at once; a new login ends the oldest beyond this. */
  perUser: number;
}

export const DEFAULT_LIMITS: SessionLimits = { idle: 30 * 60_000, absolute: 12 * 3600_000, perUser: 5 };
// Last-seen times are written at most this often: a write per page view would cost more than it tells.
const TOUCH_EVERY = 60_000;

const hash = (token: string) => createHash('sha256').update(token).digest('base64url');
const newToken = () => randomBytes(16).toString('base64url');
const TOKEN = /^[A-Za-z0-9_-]{22}$/;

type SessionRow = { login: string; cell_id: string; created_at: number; seen_at: number; csrf: string | null; unlocks: string | null };

export class Sessions {
  readonly #store: Store;
  readonly #limits: SessionLimits;
  readonly #now: () => number;
  // The TTL bounds how long a logout made through another gateway process goes unnoticed here.
  readonly #cache = new LRUCache<string, Session>({ max: 50_000, ttl: 10_000 });

  constructor(store: Store, limits: Partial<SessionLimits> = {}, now: () => number = Date.now) {
    this.#store = store;
    this.#limits = { ...DEFAULT_LIMITS, ...limits };
    this.#now = now;
  }

  /** A new session with a fresh 128-bit token from the CSPRNG; the user's oldest sessions beyond the bound end. */
  async start(login: string, cellId: string): Promise<Session> {
    const now = this.#now();
    const session: Session = { token: newToken(), login, cellId, createdAt: now, seenAt: now, csrf: newToken(), unlocks: {} };
    await this.#insert(session);
    const rows = await this.#store.all<{ token_hash: string }>('SELECT token_hash FROM sessions WHERE login = ? ORDER BY created_at DESC, seen_at DESC', [login]);
    for (const { token_hash } of rows.slice(this.#limits.perUser)) await this.#store.run('DELETE FROM sessions WHERE token_hash = ?', [token_hash]);
    // Other processes' caches forget ended sessions within the cache TTL; this one forgets now.
    if (rows.length > this.#limits.perUser) this.#cache.forEach((s, token) => s.login === login && s.token !== session.token && this.#cache.delete(token));
    return session;
  }

  /** The live session behind a token, or null when it is unknown, idle too long, too old, or ended. */
  async resume(token: string): Promise<Session | null> {
    if (!TOKEN.test(token)) return null;
    let session = this.#cache.get(token);
    if (!session) {
      const row = await this.#store.get<SessionRow>('SELECT login, cell_id, created_at, seen_at, csrf, unlocks FROM sessions WHERE token_hash = ?', [hash(token)]);
      if (!row) return null;
      session = {
        token,
        login: row.login,
        cellId: row.cell_id,
        createdAt: Number(row.created_at),
        seenAt: Number(row.seen_at),
        csrf: row.csrf ?? '',
        unlocks: row.unlocks ? JSON.parse(row.unlocks) : {},
      };
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

  /** Whether a locked database is open in this session now. */
  unlocked(session: Session, key: string): boolean {
    return (session.unlocks[key] ?? 0) > this.#now();
  }

  /**
   * Opens a locked database for `ms` in this session. The privilege changes, so the token does:
   * the returned session has a new one and the old one stops working (login and expiry stay).
   */
  async unlock(session: Session, key: string, ms: number): Promise<Session> {
    const now = this.#now();
    const unlocks = Object.fromEntries(Object.entries(session.unlocks).filter(([, until]) => until > now));
    unlocks[key] = now + ms;
    const next: Session = { ...session, token: newToken(), seenAt: now, unlocks };
    await this.#store.transaction(async (tx) => {
      await tx.run('DELETE FROM sessions WHERE token_hash = ?', [hash(session.token)]);
      await this.#insert(next, tx);
    });
    this.#cache.delete(session.token);
    return next;
  }

  /**
   * Sessions in flight follow their user to another cell: the cell, and each open locker unlock
   * under its database's new address (`rename` maps `<cell>:<db>`; undefined drops it).
   */
  async follow(login: string, cellId: string, rename: (key: string) => string | undefined): Promise<void> {
    await this.#store.transaction(async (tx) => {
      const rows = await tx.all<{ token_hash: string; unlocks: string | null }>('SELECT token_hash, unlocks FROM sessions WHERE login = ?', [login]);
      for (const row of rows) {
        const unlocks = Object.entries(row.unlocks ? (JSON.parse(row.unlocks) as Record<string, number>) : {}).flatMap(([key, until]) => {
          const renamed = rename(key);
          return renamed ? [[renamed, until]] : [];
        });
        await tx.run('UPDATE sessions SET cell_id = ?, unlocks = ? WHERE token_hash = ?', [cellId, JSON.stringify(Object.fromEntries(unlocks)), row.token_hash]);
      }
    });
    this.forgetLogin(login);
  }

  /** Drops this process's cached sessions of a login, so the next request reads them afresh. */
  forgetLogin(login: string): void {
    this.#cache.forEach((s, token) => s.login === login && this.#cache.delete(token));
  }

  async end(token: string): Promise<void> {
    this.#cache.delete(token);
    await this.#store.run('DELETE FROM sessions WHERE token_hash = ?', [hash(token)]);
  }

  async #insert(session: Session, store: Store = this.#store): Promise<void> {
    await store.run('INSERT INTO sessions (token_hash, login, cell_id, created_at, seen_at, csrf, unlocks) VALUES (?, ?, ?, ?, ?, ?, ?)', [
      hash(session.token),
      session.login,
      session.cellId,
      session.createdAt,
      session.seenAt,
      session.csrf,
      JSON.stringify(session.unlocks),
    ]);
    this.#cache.set(session.token, session);
  }
}
