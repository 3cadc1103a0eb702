// The planner of one cell: its users' events (type, date, time, duration) and their reminders,
// which go into the alarm watch index to be fired by the watchdog at the set time before.
import type { Store } from '../store/store.ts';
import { migrate } from '../store/migrate.ts';
import { CellPart } from '../cell/part.ts';
import { invalid, notFound } from '../errors.ts';
import { ALARM_EVENTS, checkName, parseValue, type AlarmEvent } from '../cell/fields.ts';
import type { Actor } from '../cell/cell.ts';
import { dropWatch, putWatch } from '../alarms/watches.ts';
import { PLANNER_MIGRATIONS } from './schema.ts';

export const EVENT_TYPES = ['meeting', 'call', 'appointment', 'birthday', 'task', 'other'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export interface PlannerEvent {
  id: number;
  type: EventType;
  title: string;
  /** UTC milliseconds. */
  startsAt: number;
  /** YYYY-MM-DD and HH:MM of startsAt (UTC). */
  date: string;
  time: string;
  /** Minutes. */
  duration: number;
  /** How the reminder comes, or null for none. */
  remind: AlarmEvent | null;
  /** Minutes before the start. */
  remindBefore: number;
}

/** What a form sends, as typed. */
export interface EventInput {
  type: string;
  title: string;
  date: string;
  time: string;
  duration: string;
  remind: string;
  before: string;
}

const MINUTE = 60_000;
export const DAY = 1440 * MINUTE;
const MAX_DURATION = 14 * 1440;
const MAX_BEFORE = 28 * 1440;

type EventRow = { id: number; type: string; title: string; starts_at: number; duration_min: number; remind: string | null; remind_before_min: number };

function toEvent(r: EventRow): PlannerEvent {
  const startsAt = Number(r.starts_at);
  const iso = new Date(startsAt).toISOString();
  return {
    id: Number(r.id),
    type: r.type as EventType,
    title: r.title,
    startsAt,
    date: iso.slice(0, 10),
    time: iso.slice(11, 16),
    duration: Number(r.duration_min),
    remind: r.remind as AlarmEvent | null,
    remindBefore: Number(r.remind_before_min),
  };
}

function minutes(raw: string, label: string, max: number): number {
  const text = raw.trim() || '0';
  if (!/^\d{1,6}$/.test(text) || Number(text) > max) throw invalid(`${label} is a number of minutes from 0 to ${max}.`, label);
  return Number(text);
}

/** Reads a form into a checked event; the first problem is thrown, naming its field. */
export function readEvent(input: EventInput): Omit<PlannerEvent, 'id' | 'date' | 'time'> {
  const title = checkName(input.title, 'The title of an event');
  const type = input.type as EventType;
  if (!EVENT_TYPES.includes(type)) throw invalid('Choose the type of the event.', 'type');
  const date = parseValue('date', input.date, 'Date');
  if (date === null) throw invalid('Date must be a date written YYYY-MM-DD.', 'Date');
  const time = input.time.trim() || '00:00';
  const hm = /^([01]?\d|2[0-3])[:.h]?([0-5]\d)$/.exec(time);
  if (!hm) throw invalid('Time is written HH:MM, from 00:00 to 23:59.', 'Time');
  const remind = (input.remind.trim() || null) as AlarmEvent | null;
  if (remind !== null && !ALARM_EVENTS.includes(remind)) throw invalid('Choose how to be reminded.', 'remind');
  return {
    type,
    title,
    startsAt: Date.parse(`${date}T00:00:00Z`) + (Number(hm[1]) * 60 + Number(hm[2])) * MINUTE,
    duration: minutes(input.duration, 'Duration', MAX_DURATION),
    remind,
    remindBefore: minutes(input.before, 'Remind before', MAX_BEFORE),
  };
}

/** Monday 00:00 UTC of the week holding `day`. */
export function weekStart(day: number): number {
  const start = Math.floor(day / DAY) * DAY;
  return start - ((new Date(start).getUTCDay() + 6) % 7) * DAY;
}

export class Planner extends CellPart {
  static async open(cellId: string, store: Store): Promise<Planner> {
    await migrate(store, 'planner', PLANNER_MIGRATIONS);
    return new Planner(cellId, store);
  }

  /** The actor's events starting in [from, to), in time order. */
  async between(actor: Actor, from: number, to: number): Promise<PlannerEvent[]> {
    this.mustHost(actor);
    const rows = await this.store.all<EventRow>(
      'SELECT id, type, title, starts_at, duration_min, remind, remind_before_min FROM planner_events WHERE owner = ? AND starts_at >= ? AND starts_at < ? ORDER BY starts_at, id',
      [actor.login, from, to],
    );
    return rows.map(toEvent);
  }

  /** Every event of the actor (the iCalendar export). */
  async all(actor: Actor): Promise<PlannerEvent[]> {
    return this.between(actor, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  }

  async event(actor: Actor, id: number): Promise<PlannerEvent> {
    this.mustHost(actor);
    const row = await this.store.get<EventRow & { owner: string }>(
      'SELECT id, owner, type, title, starts_at, duration_min, remind, remind_before_min FROM planner_events WHERE id = ?',
      [id],
    );
    if (!row || row.owner !== actor.login) throw notFound('This event does not exist (it may have been deleted).');
    return toEvent(row);
  }

  async create(actor: Actor, input: EventInput): Promise<number> {
    this.mustHost(actor);
    const e = readEvent(input);
    return this.store.transaction(async (tx) => {
      const { lastId } = await tx.run(
        'INSERT INTO planner_events (owner, type, title, starts_at, duration_min, remind, remind_before_min, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        [actor.login, e.type, e.title, e.startsAt, e.duration, e.remind, e.remindBefore, Date.now()],
      );
      await this.#watch(tx, actor, lastId, e);
      return lastId;
    });
  }

  async update(actor: Actor, id: number, input: EventInput): Promise<void> {
    await this.event(actor, id);
    const e = readEvent(input);
    await this.store.transaction(async (tx) => {
      await tx.run(
        'UPDATE planner_events SET type = ?, title = ?, starts_at = ?, duration_min = ?, remind = ?, remind_before_min = ?, updated_at = ? WHERE id = ?',
        [e.type, e.title, e.startsAt, e.duration, e.remind, e.remindBefore, Date.now(), id],
      );
      await this.#watch(tx, actor, id, e);
    });
  }

  async remove(actor: Actor, id: number): Promise<void> {
    await this.event(actor, id);
    await this.store.transaction(async (tx) => {
      await tx.run('DELETE FROM planner_events WHERE id = ?', [id]);
      await dropWatch(tx, 'event', id, 0);
    });
  }

  /** The reminder's watch: due the set minutes before the start; none without a reminder. */
  async #watch(tx: Store, actor: Actor, id: number, e: Omit<PlannerEvent, 'id' | 'date' | 'time'>): Promise<void> {
    if (e.remind === null) return dropWatch(tx, 'event', id, 0);
    const when = new Date(e.startsAt).toISOString().slice(0, 16).replace('T', ' ');
    await putWatch(
      tx,
      { kind: 'event', sourceId: id, itemId: 0, owner: actor.login, channel: e.remind, title: `${e.title} (${e.type}) at ${when}`, link: `p/e/${id}` },
      { at: e.startsAt - e.remindBefore * MINUTE },
    );
  }

}
