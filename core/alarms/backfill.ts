// Watches for the alarm values stored before the watch index existed: every record of every
// database with an alarm field, once, when the cell is first opened by a program that has alarms.
// Each record's watches are upserts, so a run cut short simply runs again.
import type { Store } from '../store/store.ts';
import type { Database } from '../cell/cell.ts';
import type { FieldType } from '../cell/fields.ts';
import { toRecord } from '../cell/records.ts';
import { watchRecord } from './record-alarms.ts';

const RECORDS_PER_READ = 500;

export async function backfillWatches(store: Store, cellId: string): Promise<void> {
  if (!(await store.get('SELECT id FROM alarm_backfill WHERE id = 1'))) return;
  const dbs = await store.all<{ id: number; owner: string; name: string }>("SELECT id, owner, name FROM dbs WHERE id IN (SELECT db_id FROM fields WHERE type = 'alarm')");
  for (const row of dbs) {
    const fields = await store.all<{ id: number; name: string; type: string; position: number; options: string }>('SELECT id, name, type, position, options FROM fields WHERE db_id = ? ORDER BY position, id', [row.id]);
    const db = {
      cellId,
      id: Number(row.id),
      name: row.name,
      owner: row.owner,
      fields: fields.map((f) => ({ id: Number(f.id), name: f.name, type: f.type as FieldType, position: Number(f.position), options: JSON.parse(f.options) })),
    } as Database;
    for (let after = 0; ; ) {
      const rows = await store.all<{ id: number; data: string; updated_at: number }>('SELECT id, data, updated_at FROM records WHERE db_id = ? AND id > ? ORDER BY id LIMIT ?', [db.id, after, RECORDS_PER_READ]);
      for (const record of rows.map(toRecord)) await watchRecord(store, db, record);
      if (rows.length < RECORDS_PER_READ) break;
      after = Number(rows[rows.length - 1].id);
    }
  }
  await store.run('DELETE FROM alarm_backfill WHERE id = 1');
}
