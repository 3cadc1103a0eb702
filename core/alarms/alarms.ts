// A cell's alarms as its users see them: what fired (and how its delivery went), what is set, and
// where email and SMS alarms go. The cell keeps the watch index in step through recordsWritten and
// recordsRemoved, inside the transaction of the record write; the watchdog (watchdog.ts) does the firing.
import type { SqlValue, Store } from '../store/store.ts';
import { migrate } from '../store/migrate.ts';
import { CellPart } from '../cell/part.ts';
import { invalid, notFound } from '../errors.ts';
import type { AlarmEvent } from '../cell/fields.ts';
import type { Actor, Database, Page } from '../cell/cell.ts';
import { ALARM_MIGRATIONS } from './schema.ts';
import { backfillWatches } from './backfill.ts';
import { unwatchRecord, watchRecord, type RecordLike } from './record-alarms.ts';
import { hideLocked } from './locked.ts';

export type Delivery = 'none' | 'pending' | 'sending' | 'sent' | 'failed';

export interface FiredNotice {
  id: number;
  title: string;
  /** Inside a session: `d/<cell>/<db>/r/<record>` or `p/e/<event>`. */
  link: string;
  channel: AlarmEvent;
  firedAt: number;
  seen: boolean;
  delivery: Delivery;
  attempts: number;
  lastError: string | null;
}

export interface SetAlarm {
  title: string;
  link: string;
  channel: AlarmEvent;
  /** When a time alarm goes off next (undefined when it has gone off, or watches a value). */
  dueAt?: number;
  /** A time alarm that has gone off (and waits for a new time). */
  done: boolean;
  /** A value alarm whose condition holds now. */
  holds: boolean;
}

export interface Contact {
  email: string;
  phone: string;
}

type NoticeRow = { id: number; title: string; link: string; channel: string; fired_at: number; seen: number; delivery: string; attempts: number; last_error: string | null };

const EMAIL = /^[^\s@<>(),;:"]{1,64}@[A-Za-z0-9.-]{1,190}\.[A-Za-z]{2,}$/;
/** International form, as Kannel's sendsms takes it: an optional +, then 3 to 20 digits. */
const PHONE = /^\+?\d{3,20}$/;

export class CellAlarms extends CellPart {
  static async open(cellId: string, store: Store): Promise<CellAlarms> {
    await migrate(store, 'alarms', ALARM_MIGRATIONS);
    await backfillWatches(store, cellId);
    return new CellAlarms(cellId, store);
  }

  // Kept in step by the cell -----------------------------------------------------------------

  /** `tx`: the transaction that wrote the records, so records and watches commit together. */
  async recordsWritten(tx: Store, db: Database, records: readonly RecordLike[]): Promise<void> {
    if (!db.fields.some((f) => f.type === 'alarm')) return;
    for (const record of records) await watchRecord(tx, db, record);
  }

  async recordsRemoved(tx: Store, db: Database, recordIds: readonly number[]): Promise<void> {
    for (const id of recordIds) await unwatchRecord(tx, db, id);
  }

  // What a user sees ------------------------------------------------------------------------

  /** What fired for the actor, newest first. */
  async notices(actor: Actor, offset: number, limit: number): Promise<Page<FiredNotice>> {
    const items = await this.#notices(actor, 'ORDER BY id DESC LIMIT ? OFFSET ?', [limit + 1, offset]);
    return { items: items.slice(0, limit), more: items.length > limit };
  }

  /** One notice of the actor's (what the link in an SMS or mail opens), marked seen. */
  async notice(actor: Actor, id: number): Promise<FiredNotice> {
    const [notice] = await this.#notices(actor, 'AND id = ?', [id]);
    if (!notice) throw notFound('This alarm does not exist.');
    await this.markSeen(actor, [id]);
    return notice;
  }

  async #notices(actor: Actor, rest: string, params: SqlValue[]): Promise<FiredNotice[]> {
    this.mustHost(actor);
    const rows = await this.store.all<NoticeRow>(`SELECT id, title, link, channel, fired_at, seen, delivery, attempts, last_error FROM alarm_notices WHERE owner = ? ${rest}`, [actor.login, ...params]);
    const items = rows.map((r) => ({
      id: Number(r.id),
      title: r.title,
      link: r.link,
      channel: r.channel as AlarmEvent,
      firedAt: Number(r.fired_at),
      seen: Boolean(Number(r.seen)),
      delivery: r.delivery as Delivery,
      attempts: Number(r.attempts),
      lastError: r.last_error,
    }));
    return hideLocked(this.store, items, actor.unlocked);
  }

  async unseenCount(actor: Actor): Promise<number> {
    this.mustHost(actor);
    const row = await this.store.get<{ n: number }>('SELECT COUNT(*) AS n FROM alarm_notices WHERE owner = ? AND seen = 0', [actor.login]);
    return Number(row?.n ?? 0);
  }

  /** Marks notices the actor was shown as seen. */
  async markSeen(actor: Actor, ids: readonly number[]): Promise<void> {
    this.mustHost(actor);
    if (ids.length === 0) return;
    await this.store.run(`UPDATE alarm_notices SET seen = 1 WHERE owner = ? AND id IN (${ids.map(() => '?').join(', ')})`, [actor.login, ...ids]);
  }

  /** The alarms the actor has set: alarm values in their records, and planner reminders. */
  async setAlarms(actor: Actor, offset: number, limit: number): Promise<Page<SetAlarm>> {
    this.mustHost(actor);
    const rows = await this.store.all<{ title: string; link: string; channel: string; target: number | null; due_at: number | null; holds: number }>(
      'SELECT title, link, channel, target, due_at, holds FROM alarm_watch WHERE owner = ? ORDER BY id LIMIT ? OFFSET ?',
      [actor.login, limit + 1, offset],
    );
    const items = rows.slice(0, limit).map((r) => ({
      title: r.title,
      link: r.link,
      channel: r.channel as AlarmEvent,
      dueAt: r.due_at === null || Number(r.due_at) === 0 ? undefined : Number(r.due_at),
      done: r.target !== null && r.due_at === null,
      holds: Boolean(Number(r.holds)),
    }));
    return { items: await hideLocked(this.store, items, actor.unlocked), more: rows.length > limit };
  }

  async contact(actor: Actor): Promise<Contact> {
    this.mustHost(actor);
    const row = await this.store.get<{ email: string | null; phone: string | null }>('SELECT email, phone FROM alarm_contacts WHERE login = ?', [actor.login]);
    return { email: row?.email ?? '', phone: row?.phone ?? '' };
  }

  async setContact(actor: Actor, raw: Contact): Promise<Contact> {
    this.mustHost(actor);
    const email = raw.email.trim();
    const phone = raw.phone.replace(/[\s\-().\/]/g, '');
    if (email && !EMAIL.test(email)) throw invalid('That email address does not look right (name@example.org).', 'email');
    if (phone && !PHONE.test(phone)) throw invalid('A phone number has 3 to 20 digits, with + before the country code.', 'phone');
    await this.store.transaction(async (tx) => {
      await tx.run('DELETE FROM alarm_contacts WHERE login = ?', [actor.login]);
      await tx.run('INSERT INTO alarm_contacts (login, email, phone) VALUES (?, ?, ?)', [actor.login, email || null, phone || null]);
    });
    return { email, phone };
  }

}
