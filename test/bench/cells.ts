// Growing past one machine (issue 8): the login lookup with a million users in the directory,
// cached and not, and the throughput of moving an owner's shared database to another cell, alone
// and with a writer writing into it all along.
import { Portal } from '../../core/portal.ts';
import { Dispatch } from '../../core/dispatch/dispatch.ts';
import { moveOwner } from '../../core/dispatch/move.ts';
import type { Store } from '../../core/store/store.ts';
import { ownerAndReader } from './sharing.ts';

export interface Percentiles {
  p50: number;
  p99: number;
}

const percentiles = (micros: number[]): Percentiles => {
  const sorted = [...micros].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))];
  return { p50: at(50), p99: at(99) };
};

const login = (i: number) => `user${i.toString(36).padStart(5, '0')}`;

/** Fills the directory with `users` logins spread over four cells (1,000 rows a statement). */
async function fillDirectory(store: Store, from: number, users: number): Promise<void> {
  for (let start = from; start < users; start += 1000) {
    const n = Math.min(1000, users - start);
    const params = Array.from({ length: n }, (_, k) => [login(start + k), `c${(start + k) % 4}`]).flat();
    await store.run(`INSERT INTO directory (login, cell_id) VALUES ${Array(n).fill('(?, ?)').join(', ')}`, params);
  }
}

async function timeLookups(dispatch: Dispatch, logins: readonly string[]): Promise<Percentiles> {
  const micros: number[] = [];
  for (const l of logins) {
    const t0 = performance.now();
    await dispatch.locate(l);
    micros.push((performance.now() - t0) * 1000);
  }
  return percentiles(micros);
}

export interface LookupResult {
  users: number;
  fillSeconds: number;
  uncached: Percentiles;
  cached: Percentiles;
}

/** Login step one at each directory size: uncached (a cache of one entry, random logins) and cached (a warm set). */
export async function lookupLatency(base: string, sizes: readonly number[], lookups = 20_000): Promise<LookupResult[]> {
  const portal = await Portal.open(base);
  const store = portal.dispatch.store;
  const results: LookupResult[] = [];
  try {
    let filled = 0;
    for (const users of sizes) {
      const t0 = performance.now();
      await fillDirectory(store, filled, users);
      filled = users;
      const fillSeconds = (performance.now() - t0) / 1000;
      const random = Array.from({ length: lookups }, (_, i) => login((i * 7919 + 13) % users));
      const uncached = await timeLookups(await Dispatch.open(store, 1), random);
      const warm = await Dispatch.open(store);
      const hot = random.slice(0, 10_000);
      await timeLookups(warm, hot);
      const cached = await timeLookups(warm, hot);
      results.push({ users, fillSeconds, uncached, cached });
    }
    return results;
  } finally {
    await portal.close();
  }
}

export interface MoveThroughput {
  records: number;
  seconds: number;
  /** Records moved a second (the database's records over the move's time). */
  rate: number;
  /** Writes the concurrent writer made while the move ran, and whether each is there exactly once. */
  writes: number;
  exact: boolean;
}

/** Moves an owner with a shared database of `count` records from c1 to c2, with or without a writer into it. */
export async function moveThroughput(base: string, count: number, withWriter: boolean): Promise<MoveThroughput> {
  const portal = await Portal.open(base);
  try {
    const { owner, reader, ref } = await ownerAndReader(portal, 'Big shared');
    const name = (await portal.addField(owner, ref, { name: 'Name', type: 'text' })).id;
    const n = (await portal.addField(owner, ref, { name: 'N', type: 'number' })).id;
    for (let i = 0; i < count; i += 1000) {
      await portal.importRecords(owner, ref, Array.from({ length: Math.min(1000, count - i) }, (_, k) => ({ [name]: `Château ${(i + k).toString(36)} cuvée ${k % 97}`, [n]: String(i + k) })));
    }
    await portal.share(owner, ref, 'reader', 'write');

    let moving = true;
    const markers: string[] = [];
    const writer = async () => {
      // Bounded: at most 100,000 writes, each by the reader through the address from before the move.
      for (let i = 0; moving && i < 100_000; i++) {
        await portal.createRecord(reader, ref, { [name]: `written during the move ${i}` });
        markers.push(`written during the move ${i}`);
      }
    };
    const t0 = performance.now();
    const [result] = await Promise.all([moveOwner(portal, 'owner', 'c2').finally(() => (moving = false)), withWriter ? writer() : Promise.resolve()]);
    const seconds = (performance.now() - t0) / 1000;

    const moved = result.dbs[0].to;
    const { items } = await portal.records(owner, moved, 0, count + markers.length + 10);
    const texts = new Map<string, number>();
    for (const r of items) for (const v of Object.values(r.values)) if (typeof v === 'string') texts.set(v, (texts.get(v) ?? 0) + 1);
    const exact = items.length === count + markers.length && markers.every((m) => texts.get(m) === 1);
    return { records: count, seconds, rate: count / seconds, writes: markers.length, exact };
  } finally {
    await portal.close();
  }
}
