// Records of one database: the values as JSON for reading, plus one index row per field for searching.
import type { SqlValue, Store } from '../store/store.ts';
import { invalid, notFound } from '../errors.ts';
import { FIELD_TYPES, indexColumn, indexKey, parseValue, valueKind, type Field, type Value } from './fields.ts';

export interface StoredRecord {
  id: number;
  /** Values by field id; an empty value is absent. */
  values: Record<string, Value>;
  updatedAt: number;
}

/** What a form sends: the typed text of each field, by field id. Fields left out keep their value. */
export type RecordInput = Record<string, string>;

type RecordRow = { id: number; data: string; updated_at: number };

export const toRecord = (row: RecordRow): StoredRecord => ({ id: Number(row.id), values: JSON.parse(row.data), updatedAt: Number(row.updated_at) });

/** Reads a form into typed values; every field's error is reported, the first one thrown. */
export function readInput(fields: readonly Field[], input: RecordInput, previous: Record<string, Value> = {}): Record<string, Value> {
  const values: Record<string, Value> = { ...previous };
  for (const field of fields) {
    const raw = input[String(field.id)];
    if (raw === undefined) continue;
    const value = parseValue(valueKind(field, fields), raw, field.name, field.options.choices);
    if (value === null) delete values[field.id];
    else values[field.id] = value;
  }
  return values;
}

/**
 * What else must change with a write, run inside its transaction (the cell keeps its alarm watches in
 * step this way): it gets the transaction and the ids written, and a throw rolls the write back.
 */
export type AlsoInWrite = (tx: Store, recordIds: number[]) => Promise<void>;

const nothingElse: AlsoInWrite = async () => {};

const INDEX_ROWS_PER_INSERT = 500;

type IndexRow = { field_id: number; txt: string | null; txt_full: string | null; num: number | null };

// The trigram index (field_grams) ----------------------------------------------------------

/** The distinct trigrams, by code point, of folded text: what "contains" finds it by. Text of fewer than three code points has none. */
export function trigrams(folded: string): string[] {
  const points = [...folded];
  const grams = new Set<string>();
  for (let i = 0; i + 3 <= points.length; i++) grams.add(points[i] + points[i + 1] + points[i + 2]);
  return [...grams];
}

type GramRow = [fieldId: number, gram: string, recordId: number];

/** The field_grams rows of one value, given its index key (nothing for an empty value or a number). */
function gramRows(fieldId: number, recordId: number, txt: string | null, full: string | null): GramRow[] {
  return txt === null ? [] : trigrams(full ?? txt).map((g) => [fieldId, g, recordId]);
}

const GRAMS_PER_STATEMENT = 512;

/**
 * Row counts adding up to n: full statements of `max` rows, then the rest in powers of two. So only
 * a few statement texts ever occur, and the prepared-statement caches (per text) stay small.
 */
function chunkSizes(n: number, max: number): number[] {
  const sizes: number[] = [];
  for (; n >= max; n -= max) sizes.push(max);
  for (let size = max / 2; size >= 1; size /= 2) if (n >= size) (sizes.push(size), (n -= size));
  return sizes;
}

const placeholders = (n: number, one: string) => Array(n).fill(one).join(', ');

async function insertGrams(tx: Store, rows: GramRow[]): Promise<void> {
  // In key order, so each statement adds to one stretch of the clustered table (rows come in record
  // order, which the stable sort keeps). Only a matter of speed: on 100,000 records, a third of the time.
  rows.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  let start = 0;
  for (const size of chunkSizes(rows.length, GRAMS_PER_STATEMENT)) {
    const params: SqlValue[] = [];
    for (const row of rows.slice(start, (start += size))) params.push(row[0], row[1], row[2]);
    await tx.run(`INSERT INTO field_grams (field_id, gram, record_id) VALUES ${placeholders(size, '(?, ?, ?)')}`, params);
  }
}

async function deleteGrams(tx: Store, fieldId: number, recordId: number, grams: string[]): Promise<void> {
  let start = 0;
  for (const size of chunkSizes(grams.length, GRAMS_PER_STATEMENT)) {
    const chunk = grams.slice(start, (start += size));
    await tx.run(`DELETE FROM field_grams WHERE field_id = ? AND record_id = ? AND gram IN (${placeholders(size, '?')})`, [fieldId, recordId, ...chunk]);
  }
}

const BACKFILL_VALUES = 1000;
const TEXT_TYPES = FIELD_TYPES.filter((type) => type !== 'alarm' && indexColumn(type) === 'txt');

/**
 * Gives the values stored before the trigram index existed their trigrams (see schema.ts): a
 * thousand values a transaction, the place reached kept in grams_backfill, so an interrupted run
 * resumes where it stopped. The cell runs it on opening, before anything else can write or search.
 */
export async function backfillGrams(store: Store): Promise<void> {
  if (!(await store.get('SELECT id FROM grams_backfill WHERE id = 1'))) return;
  const step = async (tx: Store): Promise<boolean> => {
    const at = await tx.get<{ field_id: number; record_id: number }>('SELECT field_id, record_id FROM grams_backfill WHERE id = 1');
    if (!at) return false;
    const fieldId = Number(at.field_id);
    const values = await tx.all<{ record_id: number; txt: string; txt_full: string | null }>(
      'SELECT record_id, txt, txt_full FROM field_values WHERE field_id = ? AND record_id > ? AND txt IS NOT NULL ORDER BY record_id LIMIT ?',
      [fieldId, at.record_id, BACKFILL_VALUES],
    );
    await insertGrams(tx, values.flatMap((v) => gramRows(fieldId, Number(v.record_id), v.txt, v.txt_full)));
    if (values.length === BACKFILL_VALUES) {
      await tx.run('UPDATE grams_backfill SET record_id = ? WHERE id = 1', [values[values.length - 1].record_id]);
      return true;
    }
    const next = await tx.get<{ id: number | null }>(
      `SELECT MIN(id) AS id FROM fields WHERE id > ? AND type IN (${placeholders(TEXT_TYPES.length, '?')})`,
      [fieldId, ...(TEXT_TYPES as SqlValue[])],
    );
    if (next?.id == null) {
      await tx.run('DELETE FROM grams_backfill WHERE id = 1');
      return false;
    }
    await tx.run('UPDATE grams_backfill SET field_id = ?, record_id = 0 WHERE id = 1', [next.id]);
    return true;
  };
  while (await store.transaction(step)) {}
}

/** Gives every record of a database an empty value of a new field, so that searches on the field see them all. */
export async function emptyValues(tx: Store, dbId: number, fieldId: number, type: string): Promise<void> {
  await tx.run('INSERT INTO field_values (field_id, record_id, txt, num) SELECT ?, id, NULL, ? FROM records WHERE db_id = ?', [fieldId, type === 'checkbox' ? 0 : null, dbId]);
}

/**
 * Counts a change to a database, inside the transaction that makes it. The database gone meanwhile
 * (moved to another cell since the permission was checked) undoes the change, so that it is made
 * once, at the new place (see core/dispatch/follow.ts).
 */
export async function touchDb(tx: Store, set: string, params: readonly SqlValue[], dbId: number): Promise<void> {
  const { changes } = await tx.run(`UPDATE dbs SET ${set} WHERE id = ?`, [...params, dbId]);
  if (changes === 0) throw notFound('This database does not exist.');
}

/** Adds records (one, or a whole import): one transaction, and the index rows in multi-row inserts. */
/** `also` runs inside the same transaction; `times` keeps the times records had elsewhere (a moved owner's), or they are made now. */
export async function insertRecords(
  store: Store,
  dbId: number,
  fields: readonly Field[],
  batch: readonly Record<string, Value>[],
  also = nothingElse,
  times?: readonly { created: number; updated: number }[],
): Promise<number[]> {
  if (fields.length === 0) throw invalid('This database has no fields yet: add a field first.');
  const now = Date.now();
  return store.transaction(async (tx) => {
    const ids: number[] = [];
    for (const [i, values] of batch.entries()) {
      const { created, updated } = times?.[i] ?? { created: now, updated: now };
      ids.push((await tx.run('INSERT INTO records (db_id, data, created_at, updated_at) VALUES (?, ?, ?, ?)', [dbId, JSON.stringify(values), created, updated])).lastId);
    }
    const rows = ids.flatMap((id, i) => fields.map((field) => ({ field, id, key: indexKey(valueKind(field, fields), batch[i][field.id]) })));
    for (let start = 0; start < rows.length; start += INDEX_ROWS_PER_INSERT) {
      const chunk = rows.slice(start, start + INDEX_ROWS_PER_INSERT);
      await tx.run(
        `INSERT INTO field_values (field_id, record_id, txt, txt_full, num) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
        chunk.flatMap((r) => [r.field.id, r.id, r.key.txt, r.key.full, r.key.num]),
      );
    }
    await insertGrams(tx, rows.flatMap((r) => gramRows(r.field.id, r.id, r.key.txt, r.key.full)));
    await touchDb(tx, 'record_count = record_count + ?, data_version = data_version + 1', [ids.length], dbId);
    await also(tx, ids);
    return ids;
  });
}

export async function replaceRecord(store: Store, dbId: number, recordId: number, fields: readonly Field[], values: Record<string, Value>, also = nothingElse, updatedAt = Date.now()): Promise<void> {
  await store.transaction(async (tx) => {
    await touchDb(tx, 'data_version = data_version + 1', [], dbId);
    await tx.run('UPDATE records SET data = ?, updated_at = ? WHERE id = ?', [JSON.stringify(values), updatedAt, recordId]);
    const before = new Map((await tx.all<IndexRow>('SELECT field_id, txt, txt_full, num FROM field_values WHERE record_id = ?', [recordId])).map((r) => [Number(r.field_id), r]));
    for (const field of fields) {
      const key = indexKey(valueKind(field, fields), values[field.id]);
      const old = before.get(field.id);
      if (old && old.txt === key.txt && old.txt_full === key.full && (old.num === null ? null : Number(old.num)) === key.num) continue;
      await tx.run('UPDATE field_values SET txt = ?, txt_full = ?, num = ? WHERE field_id = ? AND record_id = ?', [key.txt, key.full, key.num, field.id, recordId]);
      // Only the trigrams that come or go are written: an edit of a few letters in a long note touches a few rows.
      const was = new Set(old?.txt == null ? [] : trigrams(old.txt_full ?? old.txt));
      const now = new Set(key.txt === null ? [] : trigrams(key.full ?? key.txt));
      await deleteGrams(tx, field.id, recordId, [...was].filter((g) => !now.has(g)));
      await insertGrams(tx, [...now].filter((g) => !was.has(g)).map((g) => [field.id, g, recordId]));
    }
    await also(tx, [recordId]);
  });
}

export async function removeRecord(store: Store, dbId: number, recordId: number, also = nothingElse): Promise<void> {
  await store.transaction(async (tx) => {
    // The trigram rows are found by their whole key, from the values they were cut from.
    for (const r of await tx.all<IndexRow>('SELECT field_id, txt, txt_full, num FROM field_values WHERE record_id = ? AND txt IS NOT NULL', [recordId])) {
      await deleteGrams(tx, Number(r.field_id), recordId, trigrams(r.txt_full ?? r.txt!));
    }
    await tx.run('DELETE FROM field_values WHERE record_id = ?', [recordId]);
    const { changes } = await tx.run('DELETE FROM records WHERE id = ? AND db_id = ?', [recordId, dbId]);
    await touchDb(tx, 'record_count = record_count - ?, data_version = data_version + 1', [changes], dbId);
    await also(tx, [recordId]);
  });
}

export async function findRecord(store: Store, dbId: number, recordId: number): Promise<StoredRecord | undefined> {
  const row = await store.get<RecordRow>('SELECT id, data, updated_at FROM records WHERE id = ? AND db_id = ?', [recordId, dbId]);
  return row && toRecord(row);
}

/** One page of a database's records in creation order; one row more than asked tells whether more follow. */
export async function pageRecords(store: Store, dbId: number, offset: number, limit: number): Promise<{ records: StoredRecord[]; more: boolean }> {
  const rows = await store.all<RecordRow>('SELECT id, data, updated_at FROM records WHERE db_id = ? ORDER BY id LIMIT ? OFFSET ?', [dbId, limit + 1, offset]);
  return { records: rows.slice(0, limit).map(toRecord), more: rows.length > limit };
}

/** Records by id, in the order of `ids`. */
export async function recordsById(store: Store, ids: readonly number[]): Promise<StoredRecord[]> {
  if (ids.length === 0) return [];
  const rows = await store.all<RecordRow>(`SELECT id, data, updated_at FROM records WHERE id IN (${ids.map(() => '?').join(',')})`, ids);
  const byId = new Map(rows.map((r) => [Number(r.id), toRecord(r)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}
