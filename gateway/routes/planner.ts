// The planner: a day's events, a week at a glance, an event, creating, editing and deleting one,
// and the whole planner as iCalendar.
import type Router from '@koa/router';
import type { GatewayState, Ctx } from '../context.ts';
import { ALARM_EVENTS, parseValue } from '../../core/cell/fields.ts';
import { DAY, EVENT_TYPES, weekStart, type EventInput, type PlannerEvent } from '../../core/planner/planner.ts';
import { CoreError } from '../../core/errors.ts';
import { toICalendar } from '../../transcode/icalendar.ts';
import { emoji } from '../../transcode/emoji.ts';
import { showFitted } from '../fit.ts';
import { goTo, show } from '../respond.ts';
import { statusOf } from '../errors.ts';
import { idParam, offsetParam } from './params.ts';

const REMIND_LABELS = { '': 'No reminder', login: 'Show at login', email: 'Email me', sms: 'SMS me' } as const;
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

const dayText = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** `Mon 2026-11-30` */
const dayLabel = (ms: number) => `${WEEKDAYS[new Date(ms).getUTCDay()]} ${dayText(ms)}`;

/** The day asked for (`?day=YYYY-MM-DD`), else today; its start in UTC milliseconds. */
function dayParam(ctx: Ctx): number {
  const raw = ctx.state.form.day;
  const day = raw ? parseValue('date', raw, 'Day') : dayText(Date.now());
  return Date.parse(`${day}T00:00:00Z`);
}

const eventLine = (e: PlannerEvent) => `${e.time} ${e.title}`;

export function plannerRoutes(router: Router<GatewayState>): void {
  router.get('/s/:token/p', async (ctx) => {
    const { portal, actor, links, device } = ctx.state;
    const start = dayParam(ctx);
    const from = offsetParam(ctx.state.form.from);
    const events = (await (await portal.planner(actor)).between(actor, start, start + DAY)).slice(from);
    const day = dayText(start);
    showFitted(ctx, 'planner_day', events, false, (shown, next) => ({
      title: dayLabel(start),
      mark: emoji('calendar', device.markup),
      events: shown.map((e) => ({ label: eventLine(e), type: e.type, url: links.event(e.id) })),
      add: links.newEvent(day),
      week: links.week(day),
      before: links.day(dayText(start - DAY)),
      after: links.day(dayText(start + DAY)),
      calendar: links.calendar(),
      next: next === null ? undefined : links.day(day, from + next),
      prev: from > 0 ? links.day(day) : undefined,
      home: links.home(),
      logout: links.logout(),
    }));
  });

  router.get('/s/:token/p/week', async (ctx) => {
    const { portal, actor, links } = ctx.state;
    const monday = weekStart(dayParam(ctx));
    const events = await (await portal.planner(actor)).between(actor, monday, monday + 7 * DAY);
    const days = Array.from({ length: 7 }, (_, i) => monday + i * DAY).map((start) => {
      const own = events.filter((e) => e.startsAt >= start && e.startsAt < start + DAY);
      return { label: dayLabel(start), url: links.day(dayText(start)), count: own.length, first: own[0] ? eventLine(own[0]) : '' };
    });
    show(ctx, 'planner_week', {
      title: `Week of ${dayText(monday)}`,
      days,
      before: links.week(dayText(monday - 7 * DAY)),
      after: links.week(dayText(monday + 7 * DAY)),
      add: links.newEvent(dayText(monday)),
      home: links.home(),
      logout: links.logout(),
    });
  });

  router.get('/s/:token/p/calendar.ics', async (ctx) => {
    const { portal, actor } = ctx.state;
    const events = await (await portal.planner(actor)).all(actor);
    const stamp = Date.now();
    ctx.type = 'text/calendar; charset=utf-8';
    ctx.set('Content-Disposition', 'attachment; filename="planner.ics"');
    ctx.body = toICalendar(
      events.map((e) => ({
        uid: `${e.id}.${actor.cellId}.planner@lowband`,
        start: e.startsAt,
        duration: e.duration,
        summary: e.title,
        category: e.type,
        alarmBefore: e.remind ? e.remindBefore : undefined,
        stamp,
      })),
      '-//lowband//planner//EN',
    );
  });

  router.get('/s/:token/p/new', (ctx) => {
    const day = dayText(dayParam(ctx));
    show(ctx, 'event_form', eventForm(ctx, ctx.state.links.newEvent(day), { type: 'meeting', title: '', date: day, time: '09:00', duration: '60', remind: '', before: '15' }, ctx.state.links.day(day)));
  });

  router.post('/s/:token/p/new', async (ctx) => {
    const input = eventInput(ctx);
    await saveOrShowAgain(ctx, ctx.state.links.newEvent(input.date), input, async () => {
      const id = await (await ctx.state.portal.planner(ctx.state.actor)).create(ctx.state.actor, input);
      goTo(ctx, ctx.state.links.event(id));
    });
  });

  router.get('/s/:token/p/e/:id', async (ctx) => {
    const { portal, actor, links, device } = ctx.state;
    const id = idParam(ctx.params.id);
    const e = await (await portal.planner(actor)).event(actor, id);
    show(ctx, 'event', {
      title: e.title,
      mark: emoji('clock', device.markup),
      lines: [
        { label: 'Type', value: e.type },
        { label: 'When', value: `${e.date} ${e.time}` },
        { label: 'Duration', value: `${e.duration} min` },
        { label: 'Reminder', value: e.remind ? `${REMIND_LABELS[e.remind]}, ${e.remindBefore} min before` : 'none' },
      ],
      edit: links.editEvent(id),
      delete: links.deleteEvent(id),
      day: links.day(e.date),
      home: links.home(),
      logout: links.logout(),
    });
  });

  router.get('/s/:token/p/e/:id/edit', async (ctx) => {
    const { portal, actor, links } = ctx.state;
    const id = idParam(ctx.params.id);
    const e = await (await portal.planner(actor)).event(actor, id);
    const values = { type: e.type, title: e.title, date: e.date, time: e.time, duration: String(e.duration), remind: e.remind ?? '', before: String(e.remindBefore) };
    show(ctx, 'event_form', eventForm(ctx, links.editEvent(id), values, links.event(id)));
  });

  router.post('/s/:token/p/e/:id/edit', async (ctx) => {
    const id = idParam(ctx.params.id);
    const input = eventInput(ctx);
    await saveOrShowAgain(ctx, ctx.state.links.editEvent(id), input, async () => {
      await (await ctx.state.portal.planner(ctx.state.actor)).update(ctx.state.actor, id, input);
      goTo(ctx, ctx.state.links.event(id));
    });
  });

  router.get('/s/:token/p/e/:id/delete', async (ctx) => {
    const { portal, actor, links } = ctx.state;
    const id = idParam(ctx.params.id);
    const e = await (await portal.planner(actor)).event(actor, id);
    show(ctx, 'confirm', { title: 'Delete', message: `Delete "${e.title}" on ${e.date}?`, action: links.deleteEvent(id), yes: 'Delete', cancel: links.event(id), home: links.home(), logout: links.logout() });
  });

  router.post('/s/:token/p/e/:id/delete', async (ctx) => {
    const { portal, actor, links } = ctx.state;
    const id = idParam(ctx.params.id);
    const planner = await portal.planner(actor);
    const e = await planner.event(actor, id);
    await planner.remove(actor, id);
    goTo(ctx, links.day(e.date));
  });
}

function eventInput(ctx: Ctx): EventInput {
  const f = ctx.state.form;
  return { type: f.type ?? '', title: f.title ?? '', date: f.date ?? '', time: f.time ?? '', duration: f.duration ?? '', remind: f.remind ?? '', before: f.before ?? '' };
}

/** Saves; input the core refuses shows the form again with what was typed and why. */
async function saveOrShowAgain(ctx: Ctx, action: string, input: EventInput, save: () => Promise<void>): Promise<void> {
  try {
    await save();
  } catch (err) {
    if (!(err instanceof CoreError) || err.kind !== 'invalid') throw err;
    show(ctx, 'event_form', { ...eventForm(ctx, action, input, ctx.state.links.day()), error: err.message }, statusOf(err));
  }
}

function eventForm(ctx: Ctx, action: string, values: EventInput, cancel: string) {
  const { links } = ctx.state;
  return {
    title: 'Event',
    action,
    values,
    types: EVENT_TYPES.map((t) => ({ value: t, label: t, selected: t === values.type })),
    reminds: (['', ...ALARM_EVENTS] as const).map((r) => ({ value: r, label: REMIND_LABELS[r], selected: r === values.remind })),
    cancel,
    home: links.home(),
    logout: links.logout(),
  };
}
