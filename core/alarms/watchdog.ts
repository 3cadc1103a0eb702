// The watchdog of one cell: each tick fires the watches that have come due (read by the index on
// due_at, never by scanning records) and delivers what the outbox owes. Firing a watch and writing
// its notice is one transaction, so a restart neither loses nor repeats one; a delivery is claimed
// before it is sent, and a failed one is retried with a doubling wait, then reported as failed.
import type { Store } from '../store/store.ts';
import type { AlarmEvent } from '../cell/fields.ts';
import type { Channels } from './channels.ts';
import { hideLocked } from './locked.ts';

export interface WatchdogOptions {
  /** The clock: tests move it by hand. */
  now?: () => number;
  /** Watches fired, and deliveries tried, per statement batch. */
  batch?: number;
  /** Tries before a delivery is given up and shown as failed. */
  maxAttempts?: number;
  /** The wait after the first failure; it doubles with each further one. */
  backoffMs?: number;
  /** How long a claimed delivery is left to its sender before another may try it (a crash mid-send). */
  leaseMs?: number;
}

export interface TickReport {
  fired: number;
  delivered: number;
  retried: number;
  failed: number;
  /** Rows the tick read: what a tick costs, for the benchmark. */
  rowsRead: number;
}

type DueRow = { id: number; owner: string; channel: string; title: string; link: string };

const marks = (n: number) => Array(n).fill('?').join(', ');
type OwedRow = { id: number; channel: string; address: string | null; title: string; link: string; attempts: number; next_try_at: number };

const ADDRESS_COLUMN = { email: 'email', sms: 'phone' } as const;
const NO_ADDRESS = { email: 'No email address is set for alarms.', sms: 'No phone number is set for alarms.' } as const;

export class Watchdog {
  readonly store: Store;
  readonly #channels: Channels;
  readonly #now: () => number;
  readonly #batch: number;
  readonly #maxAttempts: number;
  readonly #backoff: number;
  readonly #lease: number;

  constructor(store: Store, channels: Channels, options: WatchdogOptions = {}) {
    this.store = store;
    this.#channels = channels;
    this.#now = options.now ?? Date.now;
    this.#batch = options.batch ?? 500;
    this.#maxAttempts = options.maxAttempts ?? 5;
    this.#backoff = options.backoffMs ?? 30_000;
    this.#lease = options.leaseMs ?? 120_000;
  }

  /** One round: fire what is due, then deliver what is owed. */
  async tick(): Promise<TickReport> {
    const report = await this.fireDue();
    await this.deliverOwed(report);
    return report;
  }

  /** The first half of a tick: every due watch becomes a notice (with its delivery owed). */
  async fireDue(report: TickReport = { fired: 0, delivered: 0, retried: 0, failed: 0, rowsRead: 0 }): Promise<TickReport> {
    while (await this.#fireBatch(report)) {}
    return report;
  }

  /** Fires up to one batch of due watches; returns whether a full batch was found (more may wait). */
  async #fireBatch(report: TickReport): Promise<boolean> {
    const now = this.#now();
    return this.store.transaction(async (tx) => {
      // Read by the due_at index, and locked: a second watchdog waits, then finds them fired.
      const due = await tx.all<DueRow>(
        `SELECT id, owner, channel, title, link FROM alarm_watch WHERE due_at <= ? ORDER BY due_at LIMIT ?${tx.dialect === 'mysql' ? ' FOR UPDATE' : ''}`,
        [now, this.#batch],
      );
      report.rowsRead += due.length;
      if (due.length === 0) return false;
      await tx.run(`UPDATE alarm_watch SET due_at = NULL WHERE id IN (${marks(due.length)})`, due.map((w) => w.id));
      const addressed = [...new Set(due.filter((w) => w.channel !== 'login').map((w) => w.owner))];
      const contacts = addressed.length
        ? await tx.all<{ login: string; email: string | null; phone: string | null }>(`SELECT login, email, phone FROM alarm_contacts WHERE login IN (${marks(addressed.length)})`, addressed)
        : [];
      report.rowsRead += contacts.length;
      const contactOf = new Map(contacts.map((c) => [c.login, c]));
      const rows = due.map((w) => {
        const channel = w.channel as AlarmEvent;
        const address = channel === 'login' ? null : (contactOf.get(w.owner)?.[ADDRESS_COLUMN[channel]] ?? null);
        const delivery = channel === 'login' ? 'none' : address ? 'pending' : 'failed';
        if (delivery === 'failed') report.failed++;
        const error = delivery === 'failed' ? NO_ADDRESS[channel as 'email' | 'sms'] : null;
        return [w.owner, w.id, w.title, w.link, channel, now, delivery, address, delivery === 'pending' ? now : null, error];
      });
      await tx.run(
        `INSERT INTO alarm_notices (owner, watch_id, title, link, channel, fired_at, delivery, address, next_try_at, last_error) VALUES ${rows.map(() => `(${marks(10)})`).join(', ')}`,
        rows.flat(),
      );
      report.fired += due.length;
      return due.length === this.#batch;
    });
  }

  /** The second half: sends what the outbox owes now, one claimed notice at a time. */
  async deliverOwed(report: TickReport): Promise<void> {
    const now = this.#now();
    // Email and SMS leave the gateway: they never name what is in a locked database.
    const owed = await hideLocked(
      this.store,
      await this.store.all<OwedRow>('SELECT id, channel, address, title, link, attempts, next_try_at FROM alarm_notices WHERE next_try_at <= ? ORDER BY next_try_at LIMIT ?', [now, this.#batch]),
    );
    report.rowsRead += owed.length;
    for (const n of owed) {
      // The claim: whoever moves next_try_at on first sends it; a crash mid-send frees it after the lease.
      const { changes } = await this.store.run("UPDATE alarm_notices SET next_try_at = ?, delivery = 'sending' WHERE id = ? AND next_try_at = ?", [now + this.#lease, n.id, n.next_try_at]);
      if (changes === 0) continue;
      const attempts = Number(n.attempts) + 1;
      try {
        const channel = this.#channels[n.channel as 'email' | 'sms'];
        if (!channel) throw new Error(`Alarms by ${n.channel} are not set up on this gateway.`);
        await channel.send(n.address!, { id: Number(n.id), title: n.title });
        await this.store.run("UPDATE alarm_notices SET delivery = 'sent', attempts = ?, next_try_at = NULL, last_error = NULL, delivered_at = ? WHERE id = ?", [attempts, this.#now(), n.id]);
        report.delivered++;
      } catch (err) {
        const error = String((err as Error)?.message ?? err).slice(0, 500);
        const last = attempts >= this.#maxAttempts;
        const retryAt = last ? null : now + this.#backoff * 2 ** (attempts - 1);
        await this.store.run('UPDATE alarm_notices SET delivery = ?, attempts = ?, next_try_at = ?, last_error = ? WHERE id = ?', [last ? 'failed' : 'pending', attempts, retryAt, error, n.id]);
        if (last) report.failed++;
        else report.retried++;
      }
    }
  }
}
