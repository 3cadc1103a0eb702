// The traffic that reaches each cell (seed 000, paragraph 64: one of the watchdog's thresholds):
// every gateway process counts the operations it hands to each cell and adds its counts to the
// dispatch's per-minute rows every few seconds, so the watchdog sees the sum of all processes.
import type { Store } from '../store/store.ts';

const FLUSH_EVERY = 5_000;
const MINUTE = 60_000;

export class TrafficMeter {
  readonly #store: Store;
  readonly #now: () => number;
  #counts = new Map<string, number>();
  #flushed: number;
  #pending: Promise<void> = Promise.resolve();

  constructor(store: Store, now: () => number = Date.now) {
    this.#store = store;
    this.#now = now;
    this.#flushed = now();
  }

  /** One operation for `cellId`; the counts go to the dispatch in the background now and then. */
  hit(cellId: string): void {
    this.#counts.set(cellId, (this.#counts.get(cellId) ?? 0) + 1);
    if (this.#now() - this.#flushed < FLUSH_EVERY) return;
    this.#flushed = this.#now();
    this.#pending = this.#pending.then(() => this.flush());
  }

  /** Adds the counts so far to this minute's rows. A failure keeps them for the next time. */
  async flush(): Promise<void> {
    this.#flushed = this.#now();
    const counts = this.#counts;
    this.#counts = new Map();
    const minute = Math.floor(this.#now() / MINUTE);
    try {
      for (const [cellId, n] of counts) {
        await this.#store.transaction(async (tx) => {
          const { changes } = await tx.run('UPDATE cell_traffic SET requests = requests + ? WHERE cell_id = ? AND minute = ?', [n, cellId, minute]);
          if (!changes) await tx.run('INSERT INTO cell_traffic (cell_id, minute, requests) VALUES (?, ?, ?)', [cellId, minute, n]);
        });
        counts.delete(cellId);
      }
    } catch {
      for (const [cellId, n] of counts) this.#counts.set(cellId, (this.#counts.get(cellId) ?? 0) + n);
    }
  }

  /** Operations per minute each cell received over the last `minutes` whole minutes and this one. */
  async perMinute(minutes: number): Promise<Map<string, number>> {
    await this.#pending;
    await this.flush();
    const since = Math.floor(this.#now() / MINUTE) - minutes;
    const rows = await this.#store.all<{ cell_id: string; n: number }>('SELECT cell_id, SUM(requests) AS n FROM cell_traffic WHERE minute >= ? GROUP BY cell_id', [since]);
    await this.#store.run('DELETE FROM cell_traffic WHERE minute < ?', [since - 60]);
    return new Map(rows.map((r) => [r.cell_id, Number(r.n) / (minutes + 1)]));
  }

  /** Waits for a flush under way, then writes what is left (the portal closing). */
  async close(): Promise<void> {
    await this.#pending;
    await this.flush();
  }
}
