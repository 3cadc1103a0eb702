// The watch index: one row per alarm that can go off, kept in step by every write that can change
// when (or whether) it goes off, so the watchdog never has to look at the records themselves.
import type { Store } from '../store/store.ts';
import type { AlarmEvent } from '../cell/fields.ts';

export type WatchKind = 'record' | 'event';

/** What a watch is about and what its notice will say. */
export interface WatchSubject {
  kind: WatchKind;
  /** The alarm field (record alarms) or the planner event (reminders). */
  sourceId: number;
  /** The record (record alarms); 0 for reminders. */
  itemId: number;
  owner: string;
  channel: AlarmEvent;
  title: string;
  /** Where the notice leads, inside a session (`d/c1/3/r/7`, `p/e/2`). */
  link: string;
}

/**
 * When it goes off: at a time (date alarms, reminders: re-armed only when the time changes, so an
 * edit that keeps it never fires it twice), or when a condition turns true (value alarms: due at
 * once on the write that makes it true, then not again before a write makes it false).
 */
export type Trigger = { at: number } | { holds: boolean };

type WatchRow = { id: number; target: number | null; holds: number };

/** Records (or updates) the watch of one subject. */
export async function putWatch(store: Store, s: WatchSubject, trigger: Trigger): Promise<void> {
  const row = await store.get<WatchRow>('SELECT id, target, holds FROM alarm_watch WHERE kind = ? AND source_id = ? AND item_id = ?', [s.kind, s.sourceId, s.itemId]);
  const target = 'at' in trigger ? trigger.at : null;
  const holds = 'holds' in trigger ? trigger.holds : false;
  if (!row) {
    const due = 'at' in trigger ? trigger.at : holds ? 0 : null;
    await store.run(
      'INSERT INTO alarm_watch (kind, source_id, item_id, owner, channel, target, holds, due_at, title, link) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [s.kind, s.sourceId, s.itemId, s.owner, s.channel, target, holds ? 1 : 0, due, s.title, s.link],
    );
    return;
  }
  const was = { target: row.target === null ? null : Number(row.target), holds: Boolean(Number(row.holds)) };
  // Re-armed when a time changes or a condition turns true; otherwise a pending notice stays as it is.
  const rearm = 'at' in trigger ? was.target !== target : holds && !was.holds;
  const due = 'at' in trigger ? target : 0;
  await store.run(
    `UPDATE alarm_watch SET owner = ?, channel = ?, target = ?, holds = ?, title = ?, link = ?${rearm ? ', due_at = ?' : ''} WHERE id = ?`,
    [s.owner, s.channel, target, holds ? 1 : 0, s.title, s.link, ...(rearm ? [due] : []), row.id],
  );
}

export async function dropWatch(store: Store, kind: WatchKind, sourceId: number, itemId: number): Promise<void> {
  await store.run('DELETE FROM alarm_watch WHERE kind = ? AND source_id = ? AND item_id = ?', [kind, sourceId, itemId]);
}
