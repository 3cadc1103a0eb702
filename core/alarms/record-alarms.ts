// What an alarm field of one record watches: a date that comes, or another field's value compared
// with the record's limit ("Bottles < 3"). Turned into watch rows on every write of the record.
import type { Store } from '../store/store.ts';
import type { Comparison, Field, Value } from '../cell/fields.ts';
import type { Database } from '../cell/cell.ts';
import { dropWatch, putWatch, type Trigger } from './watches.ts';

const DAY = 86_400_000;

const SIGNS: Partial<Record<Comparison, string>> = { eq: '=', ne: '<>', lt: '<', le: '<=', gt: '>', ge: '>=' };

/** Whether `value` compares to `limit` as `op` says (numbers as numbers, dates as their text). */
export function compare(op: Comparison, value: Value, limit: Value): boolean {
  const [a, b] = typeof value === 'number' && typeof limit === 'number' ? [value, limit] : [String(value), String(limit)];
  switch (op) {
    case 'eq': return a === b;
    case 'ne': return a !== b;
    case 'lt': return a < b;
    case 'le': return a <= b;
    case 'gt': return a > b;
    case 'ge': return a >= b;
    default: return false;
  }
}

/** A date alarm goes off at the start (UTC) of its day; "after" the day, at the start of the next. */
export function dateDue(op: Comparison, limit: string): number {
  return Date.parse(`${limit}T00:00:00Z`) + (op === 'gt' ? DAY : 0);
}

export interface RecordLike {
  id: number;
  values: Record<string, Value>;
}

/** The record in a few words: its first two text values, else its number. */
function recordName(db: Database, record: RecordLike): string {
  const texts = db.fields.filter((f) => f.type === 'text' && record.values[f.id] !== undefined).slice(0, 2);
  const name = texts.map((f) => String(record.values[f.id]).split('\n')[0]).join(' ');
  return name ? name.slice(0, 48) : `#${record.id}`;
}

function trigger(db: Database, field: Field, record: RecordLike, limit: Value): { trigger: Trigger; what: string } {
  const spec = field.options.alarm!;
  if (spec.watch === null) return { trigger: { at: dateDue(spec.op, String(limit)) }, what: `${field.name} ${limit}` };
  const watched = db.fields.find((f) => f.name === spec.watch);
  const value = watched ? record.values[watched.id] : undefined;
  const now = value === undefined ? '' : ` (now ${value})`;
  return { trigger: { holds: value !== undefined && compare(spec.op, value, limit) }, what: `${spec.watch} ${SIGNS[spec.op]} ${limit}${now}` };
}

/** Brings the watches of a record's alarm fields up to date after it was written. */
export async function watchRecord(store: Store, db: Database, record: RecordLike): Promise<void> {
  for (const field of db.fields) {
    if (field.type !== 'alarm' || !field.options.alarm) continue;
    const limit = record.values[field.id];
    if (limit === undefined) {
      await dropWatch(store, 'record', field.id, record.id);
      continue;
    }
    const { trigger: t, what } = trigger(db, field, record, limit);
    await putWatch(
      store,
      { kind: 'record', sourceId: field.id, itemId: record.id, owner: db.owner, channel: field.options.alarm.event, title: `${db.name}: ${recordName(db, record)}, ${what}`, link: `d/${db.cellId}/${db.id}/r/${record.id}` },
      t,
    );
  }
}

export async function unwatchRecord(store: Store, db: Database, recordId: number): Promise<void> {
  for (const field of db.fields) if (field.type === 'alarm') await dropWatch(store, 'record', field.id, recordId);
}
