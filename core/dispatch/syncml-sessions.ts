// The SyncML server's sessions in the dispatch store, so that any gateway process can answer a
// session's next message. A row holds the session's state (JSON the gateway writes and reads
// back), a revision each answer advances, and a lease: while one process answers a message of the
// session, another refuses the session rather than advancing it from the same state.
import type { Store } from '../store/store.ts';

/** A session nobody used for this long is over. */
export const SYNCML_SESSION_IDLE = 10 * 60_000;
/** Longer than any one message takes: a process that died answering holds its session no longer. */
const LEASE = 2 * 60_000;
// Idle sessions are swept at most this often by each process, and at most so many at a time.
const SWEEP_EVERY = 60_000;
const SWEEP_BATCH = 200;

/** A session claimed for one message: its revision, and its state unless the caller holds that revision. */
export interface Claimed {
  revision: number;
  state?: string;
}

export class SyncmlSessions {
  readonly #store: Store;
  readonly #now: () => number;
  #swept = 0;

  constructor(store: Store, now: () => number = Date.now) {
    this.#store = store;
    this.#now = now;
  }

  /**
   * Takes the session for one message: undefined when unknown or idle too long, 'busy' while
   * another message of it is being answered. `cached`: the revision the caller holds already.
   */
  async claim(token: string, cached?: number): Promise<Claimed | 'busy' | undefined> {
    const now = this.#now();
    const row = await this.#store.get<{ revision: number; busy_until: number; updated_at: number }>('SELECT revision, busy_until, updated_at FROM syncml_sessions WHERE token = ?', [token]);
    if (!row || now - Number(row.updated_at) > SYNCML_SESSION_IDLE) return undefined;
    const revision = Number(row.revision);
    const { changes } = await this.#store.run('UPDATE syncml_sessions SET busy_until = ?, updated_at = ? WHERE token = ? AND revision = ? AND busy_until <= ?', [now + LEASE, now, token, revision, now]);
    if (changes === 0) return 'busy';
    if (revision === cached) return { revision };
    const state = await this.#store.get<{ state: string }>('SELECT state FROM syncml_sessions WHERE token = ?', [token]);
    return { revision, state: state!.state };
  }

  /**
   * Writes the state after a message was answered (revision 0: a new session) and lets the session
   * go: the new revision, or undefined when the session is no longer at `revision` (another
   * process took it over after our lease ran out).
   */
  async save(token: string, revision: number, state: string): Promise<number | undefined> {
    const now = this.#now();
    if (revision === 0) {
      await this.#store.run('INSERT INTO syncml_sessions (token, state, revision, busy_until, updated_at) VALUES (?, ?, 1, 0, ?)', [token, state, now]);
      return 1;
    }
    const { changes } = await this.#store.run('UPDATE syncml_sessions SET state = ?, revision = revision + 1, busy_until = 0, updated_at = ? WHERE token = ? AND revision = ?', [state, now, token, revision]);
    return changes === 1 ? revision + 1 : undefined;
  }

  /** Lets the session go unchanged. */
  async release(token: string, revision: number): Promise<void> {
    await this.#store.run('UPDATE syncml_sessions SET busy_until = 0 WHERE token = ? AND revision = ?', [token, revision]);
  }

  async remove(token: string): Promise<void> {
    await this.#store.run('DELETE FROM syncml_sessions WHERE token = ?', [token]);
  }

  /** Removes sessions idle too long (at most once a minute, a bounded batch each time). */
  async sweep(): Promise<void> {
    const now = this.#now();
    if (now - this.#swept < SWEEP_EVERY) return;
    this.#swept = now;
    const idle = now - SYNCML_SESSION_IDLE;
    const rows = await this.#store.all<{ token: string }>(`SELECT token FROM syncml_sessions WHERE updated_at < ? ORDER BY updated_at LIMIT ${SWEEP_BATCH}`, [idle]);
    if (rows.length === 0) return;
    // Only those still idle: one claimed meanwhile lives on.
    await this.#store.run(`DELETE FROM syncml_sessions WHERE updated_at < ? AND token IN (${rows.map(() => '?').join(', ')})`, [idle, ...rows.map((r) => r.token)]);
  }
}
