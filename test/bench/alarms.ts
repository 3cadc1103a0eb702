// The watchdog's cost per tick over N alarms of which D are due: its indexed read of alarm_watch
// against a naive watchdog that reads every record's alarm value, measured side by side on the
// same store. The rows are written in bulk in the shapes the core writes them (records,
// field_values, alarm_watch), since a million records through the API would take most of an hour.
import { Portal } from '../../core/portal.ts';
import { Watchdog, type TickReport } from '../../core/alarms/watchdog.ts';
import type { SqlValue, Store } from '../../core/store/store.ts';

export interface TickCost {
  loadSeconds: number;
  watchdog: { ms: number; rowsRead: number; fired: number };
  idle: { ms: number; rowsRead: number };
  naive: { ms: number; rowsRead: number; due: number };
}

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-01T00:00:00Z');
const ROWS_PER_INSERT = 500;

const ymd = (ms: number) => new Date(ms).toISOString().slice(0, 10);

async function insertRows(tx: Store, table: string, columns: string[], rows: SqlValue[][]): Promise<void> {
  const one = `(${columns.map(() => '?').join(', ')})`;
  await tx.run(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${rows.map(() => one).join(', ')}`, rows.flat());
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function alarmTickCost(base: string, total: number, due: number, rounds = 5): Promise<TickCost> {
  const portal = await Portal.open(base);
  try {
    await portal.addCell('c1', 10);
    const owner = await portal.register('owner', 'secret', 'Owner');
    const ref = await portal.createDatabase(owner, 'Cellar');
    const field = (await portal.addField(owner, ref, { name: 'Drink from', type: 'alarm', watch: '', event: 'login' })).id;
    const store = (await portal.cell('c1')).store;
    const loadStart = performance.now();
    // Every total/due-th alarm is due (a date before NOW); the others lie up to four years ahead.
    const dueEvery = Math.floor(total / due);
    for (let start = 0; start < total; start += ROWS_PER_INSERT * 20) {
      await store.transaction(async (tx) => {
        for (let chunk = start; chunk < Math.min(total, start + ROWS_PER_INSERT * 20); chunk += ROWS_PER_INSERT) {
          const ids = Array.from({ length: Math.min(ROWS_PER_INSERT, total - chunk) }, (_, i) => chunk + i + 1);
          const at = (id: number) => (id % dueEvery === 0 && id / dueEvery <= due ? NOW - DAY * (1 + (id % 300)) : NOW + DAY * (1 + (id % 1460)));
          await insertRows(tx, 'records', ['id', 'db_id', 'data', 'created_at', 'updated_at'], ids.map((id) => [id, ref.dbId, JSON.stringify({ [field]: ymd(at(id)) }), NOW, NOW]));
          await insertRows(tx, 'field_values', ['field_id', 'record_id', 'num'], ids.map((id) => [field, id, Number(ymd(at(id)).replaceAll('-', ''))]));
          await insertRows(
            tx,
            'alarm_watch',
            ['kind', 'source_id', 'item_id', 'owner', 'channel', 'target', 'holds', 'due_at', 'title', 'link'],
            ids.map((id) => ['record', field, id, 'owner', 'login', at(id), 0, at(id), `Cellar: #${id}, Drink from ${ymd(at(id))}`, `d/c1/${ref.dbId}/r/${id}`]),
          );
        }
      });
    }
    await store.run('UPDATE dbs SET record_count = ? WHERE id = ?', [total, ref.dbId]);
    const loadSeconds = (performance.now() - loadStart) / 1000;

    const dog = new Watchdog(store, {}, { now: () => NOW, batch: 500 });
    const ticks: { ms: number; report: TickReport }[] = [];
    const idle: { ms: number; report: TickReport }[] = [];
    const naive: { ms: number; rows: number; due: number }[] = [];
    const today = Number(ymd(NOW).replaceAll('-', ''));
    for (let round = 0; round < rounds; round++) {
      // The same thousand come due again (not timed): a tick with work, then one with none.
      await store.run('UPDATE alarm_watch SET due_at = target WHERE target <= ?', [NOW]);
      await store.run('DELETE FROM alarm_notices');
      let start = performance.now();
      const report = await dog.fireDue();
      ticks.push({ ms: performance.now() - start, report });
      start = performance.now();
      idle.push({ ms: 0, report: await dog.fireDue() });
      idle[idle.length - 1].ms = performance.now() - start;
      // The naive watchdog: every alarm value, compared with today.
      start = performance.now();
      const values = await store.all<{ record_id: number; num: number }>('SELECT record_id, num FROM field_values WHERE field_id = ?', [field]);
      const dueNow = values.filter((v) => Number(v.num) <= today).length;
      naive.push({ ms: performance.now() - start, rows: values.length, due: dueNow });
    }
    return {
      loadSeconds,
      watchdog: { ms: median(ticks.map((t) => t.ms)), rowsRead: ticks[0].report.rowsRead, fired: ticks[0].report.fired },
      idle: { ms: median(idle.map((t) => t.ms)), rowsRead: idle[0].report.rowsRead },
      naive: { ms: median(naive.map((n) => n.ms)), rowsRead: naive[0].rows, due: naive[0].due },
    };
  } finally {
    await portal.close();
  }
}
