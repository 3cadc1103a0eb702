// The cost of a text value at the cap (MAX_TEXT characters) in the trigram index: rows written, and
// the time to store it, edit a few letters of it, find it by "contains", and delete it, on one store.
import { Portal } from '../../core/portal.ts';
import { MAX_TEXT } from '../../core/cell/fields.ts';

export interface LongTextCost {
  kind: string;
  grams: number;
  storeMs: number;
  editMs: number;
  containsMs: number;
  deleteMs: number;
}

/** A repeatable pseudo-random sequence in [0, 1) (mulberry32). */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/**
 * A text of `n` characters: prose (words of a vocabulary of 2,000, as notes are), or ideographs in
 * a random order, where nearly every trigram is new (the worst case).
 */
function text(kind: 'prose' | 'worst', n: number): string {
  const next = random(kind === 'prose' ? 1 : 2);
  let s = '';
  if (kind === 'prose') {
    const vocabulary = Array.from({ length: 2000 }, (_, i) => i.toString(36).replace(/\d/g, (d) => 'aeiouyrstl'[Number(d)]));
    for (let i = 0; s.length < n; i++) s += vocabulary[Math.floor(next() ** 2 * 2000)] + (i % 12 === 11 ? '.\n' : ' ');
  } else while (s.length < n) s += String.fromCodePoint(0x4e00 + Math.floor(next() * 2000));
  return s.slice(0, n);
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const result = await fn();
  return [result, performance.now() - t0];
}

export async function longTextCost(base: string): Promise<LongTextCost[]> {
  const portal = await Portal.open(base);
  try {
    await portal.addCell('c1', 10);
    const owner = await portal.register('bench', 'bench', 'Bench');
    const ref = await portal.createDatabase(owner, 'Notes');
    const f = (await portal.addField(owner, ref, { name: 'Note', type: 'text' })).id;
    const store = (await portal.cell('c1')).store;
    const rows: LongTextCost[] = [];
    for (const kind of ['prose', 'worst'] as const) {
      const value = text(kind, MAX_TEXT);
      const [id, storeMs] = await timed(() => portal.createRecord(owner, ref, { [f]: value }));
      const counted = await store.get<{ n: number }>('SELECT COUNT(*) AS n FROM field_grams WHERE record_id = ?', [id]);
      const [, editMs] = await timed(() => portal.updateRecord(owner, ref, id, { [f]: `${value.slice(0, 50_000)}EDIT${value.slice(50_004)}` }));
      const needle = value.slice(MAX_TEXT - 20, MAX_TEXT - 8);
      const [, containsMs] = await timed(() => portal.search(owner, ref, { fieldId: f, op: 'contains', operand: needle }, 0, 10));
      const [, deleteMs] = await timed(() => portal.deleteRecord(owner, ref, id));
      rows.push({ kind, grams: Number(counted?.n), storeMs, editMs, containsMs, deleteMs });
    }
    return rows;
  } finally {
    await portal.close();
  }
}
