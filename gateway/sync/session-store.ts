// The server's sessions across gateway processes: each answered message saves its session's
// state in the dispatch store (core/dispatch/syncml-sessions.ts). This process keeps the sessions
// it answered last, and uses its copy only while no other process has answered the session since;
// otherwise it rebuilds the session from the stored state.
import { LRUCache } from 'lru-cache';
import type { Portal } from '../../core/portal.ts';
import { SYNCML_SESSION_IDLE, SyncmlSessions } from '../../core/dispatch/syncml-sessions.ts';
import { Session } from './session.ts';

export class SessionStore {
  readonly #portal: Portal;
  readonly #rows: SyncmlSessions;
  readonly #live = new LRUCache<string, Session>({ max: 200, ttl: SYNCML_SESSION_IDLE });

  constructor(portal: Portal) {
    this.#portal = portal;
    this.#rows = new SyncmlSessions(portal.dispatch.store);
  }

  /**
   * The session behind a token, taken for one message (until saved, released or ended);
   * 'busy' while another message of it is being answered, undefined when there is none.
   */
  async claim(token: string): Promise<Session | 'busy' | undefined> {
    await this.#rows.sweep();
    if (!token) return undefined;
    const cached = this.#live.get(token);
    const claimed = await this.#rows.claim(token, cached?.revision);
    if (claimed === 'busy') return claimed;
    if (!claimed) {
      this.#live.delete(token);
      return undefined;
    }
    if (claimed.state === undefined) return cached!;
    try {
      return await Session.restore(this.#portal, token, claimed.revision, JSON.parse(claimed.state));
    } catch (err) {
      await this.#rows.release(token, claimed.revision);
      throw err;
    }
  }

  /** Saves a session after its message was answered: false when another process took it over meanwhile. */
  async save(session: Session): Promise<boolean> {
    const revision = await this.#rows.save(session.token, session.revision, JSON.stringify(session.state));
    if (revision === undefined) {
      this.#live.delete(session.token);
      return false;
    }
    session.revision = revision;
    this.#live.set(session.token, session);
    return true;
  }

  /** Lets a session go as it is stored; this process's copy, which may have changed since, is dropped. */
  async release(session: Session): Promise<void> {
    this.#live.delete(session.token);
    if (session.revision > 0) await this.#rows.release(session.token, session.revision);
  }

  /** The session is over. */
  async end(session: Session): Promise<void> {
    this.#live.delete(session.token);
    if (session.revision > 0) await this.#rows.remove(session.token);
  }
}
