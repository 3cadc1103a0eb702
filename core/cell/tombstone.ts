// What a cell remembers of the owners and databases that moved away (seed 000, paragraph 64).
// A request routed here by a stale cache (another gateway process, a page rendered before the
// move) finds no data, then this: where it went, and the new ids of its fields and records, so
// that a form typed before the move is saved at the new place, once.
import type { Migration } from '../store/migrate.ts';
import { migrate } from '../store/migrate.ts';
import type { SqlValue, Store } from '../store/store.ts';

/** The ids a move renumbers: fields ('f') and records ('r') of a database. */
export type IdKind = 'f' | 'r';

export const TOMBSTONE_MIGRATIONS: readonly Migration[] = [
  (t) => [
    `CREATE TABLE moved_users (
      login ${t.key} NOT NULL PRIMARY KEY,
      to_cell ${t.key} NOT NULL,
      moved_at BIGINT NOT NULL
    )${t.tableSuffix}`,
    `CREATE TABLE moved_dbs (
      db_id BIGINT NOT NULL PRIMARY KEY,
      to_cell ${t.key} NOT NULL,
      to_db BIGINT NOT NULL,
      moved_at BIGINT NOT NULL
    )${t.tableSuffix}`,
    // Written while the records are copied, before the move is decided: a row counts only once
    // moved_dbs names its database.
    `CREATE TABLE moved_ids (
      db_id BIGINT NOT NULL,
      kind ${t.key} NOT NULL,
      old_id BIGINT NOT NULL,
      new_id BIGINT NOT NULL,
      PRIMARY KEY (db_id, kind, old_id)
    )${t.clusteredSuffix}`,
  ],
];

export function migrateTombstones(store: Store): Promise<void> {
  return migrate(store, 'tombstones', TOMBSTONE_MIGRATIONS);
}

/** The cell a login moved to from this cell, if it did. */
export async function movedUser(store: Store, login: string): Promise<string | undefined> {
  return (await store.get<{ to_cell: string }>('SELECT to_cell FROM moved_users WHERE login = ?', [login]))?.to_cell;
}

/** Where a database of this cell went, if it moved. */
export async function movedDb(store: Store, dbId: number): Promise<{ cellId: string; dbId: number } | undefined> {
  const row = await store.get<{ to_cell: string; to_db: number }>('SELECT to_cell, to_db FROM moved_dbs WHERE db_id = ?', [dbId]);
  return row && { cellId: row.to_cell, dbId: Number(row.to_db) };
}

/** The new id of a field or record of a moved database (undefined: it did not exist when it moved). */
export async function movedId(store: Store, dbId: number, kind: IdKind, oldId: number): Promise<number | undefined> {
  const row = await store.get<{ new_id: number }>('SELECT new_id FROM moved_ids WHERE db_id = ? AND kind = ? AND old_id = ?', [dbId, kind, oldId]);
  return row && Number(row.new_id);
}

const ROWS_PER_INSERT = 250;

/** Records old → new ids (the mover, while copying). */
export async function noteIds(store: Store, dbId: number, kind: IdKind, pairs: readonly [number, number][]): Promise<void> {
  for (let start = 0; start < pairs.length; start += ROWS_PER_INSERT) {
    const chunk = pairs.slice(start, start + ROWS_PER_INSERT);
    const params: SqlValue[] = chunk.flatMap(([from, to]) => [dbId, kind, from, to]);
    await store.run(`INSERT INTO moved_ids (db_id, kind, old_id, new_id) VALUES ${chunk.map(() => '(?, ?, ?, ?)').join(', ')}`, params);
  }
}

/** Forgets ids noted for records that were deleted before the move ended. */
export async function dropIds(store: Store, dbId: number, kind: IdKind, oldIds: readonly number[]): Promise<void> {
  for (let start = 0; start < oldIds.length; start += ROWS_PER_INSERT) {
    const chunk = oldIds.slice(start, start + ROWS_PER_INSERT);
    await store.run(`DELETE FROM moved_ids WHERE db_id = ? AND kind = ? AND old_id IN (${chunk.map(() => '?').join(', ')})`, [dbId, kind, ...chunk]);
  }
}
