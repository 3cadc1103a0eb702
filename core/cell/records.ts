// Records of one database: the values as JSON for reading, plus one index row per field for searching.
import type { Store } from '../store/store.ts';
import { invalid } from '../errors.ts';
import { indexKey, parseValue, valueKind, type Field, type Value } from './fields.ts';

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

const INDEX_ROWS_PER_INSERT = 500;

/** Adds records (one, or a whole import): one transaction, and the index rows in multi-row inserts. */
export async function insertRecords(store: Store, dbId: number, fields: readonly Field[], batch: readonly Record<string, Value>[]): Promise<number[]> {
  if (fields.length === 0) throw invalid('This database has no fields yet: add a field first.');
  const now = Date.now();
  return store.transaction(async (tx) => {
    const ids: number[] = [];
    for (const values of batch) {
      ids.push((await tx.run('INSERT INTO records (db_id, data, created_at, updated_at) VALUES (?, ?, ?, ?)', [dbId, JSON.stringify(values), now, now])).lastId);
    }
    const rows = ids.flatMap((id, i) => fields.map((field) => ({ field, id, key: indexKey(valueKind(field, fields), batch[i][field.id]) })));
    for (let start = 0; start < rows.length; start += INDEX_ROWS_PER_INSERT) {
      const chunk = rows.slice(start, start + INDEX_ROWS_PER_INSERT);
      await tx.run(
        `INSERT INTO field_values (field_id, record_id, txt, txt_full, num) VALUES ${chunk.map(() => '(?, ?, ?, ?, ?)').join(', ')}`,
        chunk.flatMap((r) => [r.field.id, r.id, r.key.txt, r.key.full, r.key.num]),
      );
    }
    await tx.run('UPDATE dbs SET record_count = record_count + ?, data_version = data_version + 1 WHERE id = ?', [ids.length, dbId]);
    return ids;
  });
}

export async function replaceRecord(store: Store, dbId: number, recordId: number, fields: readonly Field[], values: Record<string, Value>): Promise<void> {
  await store.transaction(async (tx) => {
    await tx.run('UPDATE dbs SET data_version = data_version + 1 WHERE id = ?', [dbId]);
    await tx.run('UPDATE records SET data = ?, updated_at = ? WHERE id = ?', [JSON.stringify(values), Date.now(), recordId]);
    for (const field of fields) {
      const key = indexKey(valueKind(field, fields), values[field.id]);
      await tx.run('UPDATE field_values SET txt = ?, txt_full = ?, num = ? WHERE field_id = ? AND record_id = ?', [key.txt, key.full, key.num, field.id, recordId]);
    }
  });
}

export async function removeRecord(store: Store, dbId: number, recordId: number): Promise<void> {
  await store.transaction(async (tx) => {
    await tx.run('DELETE FROM field_values WHERE record_id = ?', [recordId]);
    const { changes } = await tx.run('DELETE FROM records WHERE id = ? AND db_id = ?', [recordId, dbId]);
    await tx.run('UPDATE dbs SET record_count = record_count - ?, data_version = data_version + 1 WHERE id = ?', [changes, dbId]);
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
