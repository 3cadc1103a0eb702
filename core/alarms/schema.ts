// The tables of the alarm watchdog, in their own migration kind ('alarms') on the cell's store.
import type { Migration } from '../store/migrate.ts';
import { OWNED_TABLES } from '../cell/export.ts';

export const ALARM_MIGRATIONS: readonly Migration[] = [
  (t) => [
    // One row per thing that can go off: an alarm field's value in one record ('record', field id,
    // record id) or a planner event's reminder ('event', event id, 0). The watchdog reads only the
    // rows whose due_at has come, by the index on due_at: never the records themselves. A date
    // alarm's due_at is its time; a value alarm's is set to 0 (due at once) by the write that makes
    // its condition true, and `holds` keeps it from firing again until a write makes it false.
    // What the notice will say (title, link) is written with the row, so firing joins nothing.
    `CREATE TABLE alarm_watch (
      id ${t.id},
      kind ${t.key} NOT NULL,
      source_id BIGINT NOT NULL,
      item_id BIGINT NOT NULL,
      owner ${t.key} NOT NULL,
      channel ${t.key} NOT NULL,
      target BIGINT,
      holds INTEGER NOT NULL DEFAULT 0,
      due_at BIGINT,
      title ${t.text} NOT NULL,
      link ${t.key} NOT NULL,
      UNIQUE (kind, source_id, item_id)
    )${t.tableSuffix}`,
    `CREATE INDEX alarm_watch_due ON alarm_watch (due_at)`,
    `CREATE INDEX alarm_watch_owner ON alarm_watch (owner, id)`,
    // What fired, and the outbox of its delivery: written in the same transaction that clears the
    // watch row's due_at, so a restart neither loses nor repeats a notice. next_try_at is set while
    // a delivery is owed (pending, or claimed by a sender until then) and cleared once it is sent or
    // has failed for good; a login notice owes none.
    `CREATE TABLE alarm_notices (
      id ${t.id},
      owner ${t.key} NOT NULL,
      watch_id BIGINT NOT NULL,
      title ${t.text} NOT NULL,
      link ${t.key} NOT NULL,
      channel ${t.key} NOT NULL,
      fired_at BIGINT NOT NULL,
      seen INTEGER NOT NULL DEFAULT 0,
      delivery ${t.key} NOT NULL,
      address ${t.key},
      attempts INTEGER NOT NULL DEFAULT 0,
      next_try_at BIGINT,
      last_error ${t.text},
      delivered_at BIGINT
    )${t.tableSuffix}`,
    `CREATE INDEX alarm_notices_owner ON alarm_notices (owner, id)`,
    `CREATE INDEX alarm_notices_due ON alarm_notices (next_try_at)`,
    // Records written before this table existed get their watches when the cell is next opened
    // (backfill.ts); this row, while it exists, says so.
    `CREATE TABLE alarm_backfill (id INTEGER NOT NULL PRIMARY KEY)${t.tableSuffix}`,
    `INSERT INTO alarm_backfill (id) VALUES (1)`,
    // Where a user's email and SMS alarms go.
    `CREATE TABLE alarm_contacts (
      login ${t.key} NOT NULL PRIMARY KEY,
      email ${t.key},
      phone ${t.key}
    )${t.tableSuffix}`,
  ],
];

// These rows move with their owner to another cell (issue 8, core/cell/export.ts), renumbered:
// a record alarm's field and record, an event reminder's event, a notice's watch row.
OWNED_TABLES.push(
  { table: 'alarm_watch', owner: 'owner', id: 'id', where: "kind = 'record'", refs: { source_id: 'field', item_id: 'record' } },
  { table: 'alarm_watch', owner: 'owner', id: 'id', where: "kind = 'event'", refs: { source_id: 'planner_events' } },
  { table: 'alarm_notices', owner: 'owner', id: 'id', refs: { watch_id: 'alarm_watch' } },
  { table: 'alarm_contacts', owner: 'login' },
);
