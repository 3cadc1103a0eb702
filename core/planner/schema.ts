// The planner's table, in its own migration kind ('planner') on the cell's store. Times are UTC
// milliseconds; a day's or a week's events are one range read on (owner, starts_at).
import type { Migration } from '../store/migrate.ts';
import { OWNED_TABLES } from '../cell/export.ts';

export const PLANNER_MIGRATIONS: readonly Migration[] = [
  (t) => [
    `CREATE TABLE planner_events (
      id ${t.id},
      owner ${t.key} NOT NULL,
      type ${t.key} NOT NULL,
      title ${t.key} NOT NULL,
      starts_at BIGINT NOT NULL,
      duration_min INTEGER NOT NULL,
      remind ${t.key},
      remind_before_min INTEGER NOT NULL,
      updated_at BIGINT NOT NULL
    )${t.tableSuffix}`,
    `CREATE INDEX planner_by_owner ON planner_events (owner, starts_at)`,
  ],
];

// A user's events move with them to another cell (issue 8, core/cell/export.ts), numbered afresh.
OWNED_TABLES.push({ table: 'planner_events', owner: 'owner', id: 'id' });
