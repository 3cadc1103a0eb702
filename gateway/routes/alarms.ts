// The alarms screens: what fired (newest first, marked seen once shown), the alarms set, where
// email and SMS alarms go, and changing what an alarm field does. Also the link an SMS carries.
import type Router from '@koa/router';
import type { GatewayState, Ctx } from '../context.ts';
import type { FiredNotice, SetAlarm } from '../../core/alarms/alarms.ts';
import { ALARM_EVENTS, type Field } from '../../core/cell/fields.ts';
import { CoreError } from '../../core/errors.ts';
import { emoji } from '../../transcode/emoji.ts';
import { loginPage } from './login.ts';
import { PAGE_ITEMS, showFitted } from '../fit.ts';
import { COMPARISON_LABELS } from '../present.ts';
import { goTo, show } from '../respond.ts';
import { statusOf } from '../errors.ts';
import { dbParam, idParam, offsetParam } from './params.ts';
import { ALARM_OPS, EVENT_LABELS, watchable } from './database.ts';

const CHANNEL_NAMES = { login: 'login', email: 'Email', sms: 'SMS' } as const;

/** `2026-12-01 09:45` (UTC, as the planner keeps time). */
export const minuteOf = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');

/** How a notice's delivery went, in a few words ('' for a notice that waits for login). */
function deliveryState(n: FiredNotice): string {
  if (n.channel === 'login') return '';
  const name = CHANNEL_NAMES[n.channel];
  if (n.delivery === 'sent') return `${name} sent`;
  if (n.delivery === 'failed') return `${name} failed: ${n.lastError ?? ''}`;
  return n.attempts ? `${name} not sent yet (${n.attempts} tries: ${n.lastError ?? ''})` : `${name} on its way`;
}

function setState(a: SetAlarm): string {
  if (a.dueAt !== undefined) return `at ${minuteOf(a.dueAt)}`;
  if (a.done) return 'went off';
  return a.holds ? 'holds now' : 'waiting';
}

export function alarmRoutes(router: Router<GatewayState>): void {
  router.get('/s/:token/alarms', async (ctx) => {
    const { portal, actor, links, device } = ctx.state;
    const from = offsetParam(ctx.state.form.from);
    const alarms = await portal.alarms(actor);
    const { items, more } = await alarms.notices(actor, from, PAGE_ITEMS[device.markup]);
    let shown: readonly FiredNotice[] = [];
    showFitted(ctx, 'alarms', items, more, (page, next) => {
      shown = page;
      return {
        title: 'Alarms',
        notices: page.map((n) => ({
          mark: emoji(n.delivery === 'failed' ? 'warning' : 'alarm', device.markup),
          title: n.title,
          when: minuteOf(n.firedAt),
          fresh: !n.seen,
          state: deliveryState(n),
          url: links.inSession(n.link),
        })),
        set: links.alarmsSet(),
        contact: links.alarmContact(),
        next: next === null ? undefined : links.alarms(from + next),
        prev: from > 0 ? links.alarms(Math.max(0, from - PAGE_ITEMS[device.markup])) : undefined,
        home: links.home(),
        logout: links.logout(),
      };
    });
    // Shown at login until seen: what this page showed is seen now.
    await alarms.markSeen(actor, shown.filter((n) => !n.seen).map((n) => n.id));
  });

  router.get('/s/:token/alarms/set', async (ctx) => {
    const { portal, actor, links, device } = ctx.state;
    const from = offsetParam(ctx.state.form.from);
    const { items, more } = await (await portal.alarms(actor)).setAlarms(actor, from, PAGE_ITEMS[device.markup]);
    showFitted(ctx, 'alarm_list', items, more, (page, next) => ({
      title: 'Alarms set',
      alarms: page.map((a) => ({ title: a.title, state: setState(a), channel: CHANNEL_NAMES[a.channel], url: links.inSession(a.link) })),
      fired: links.alarms(),
      next: next === null ? undefined : links.alarmsSet(from + next),
      prev: from > 0 ? links.alarmsSet(Math.max(0, from - PAGE_ITEMS[device.markup])) : undefined,
      home: links.home(),
      logout: links.logout(),
    }));
  });

  const contactPage = (ctx: Ctx, values: { email: string; phone: string }, extra: { error?: string; notice?: string } = {}) => ({
    title: 'Alarm contact',
    action: ctx.state.links.alarmContact(),
    email: values.email,
    phone: values.phone,
    done: ctx.state.links.alarms(),
    home: ctx.state.links.home(),
    logout: ctx.state.links.logout(),
    ...extra,
  });

  router.get('/s/:token/alarms/contact', async (ctx) => {
    const { portal, actor } = ctx.state;
    show(ctx, 'contact_form', contactPage(ctx, await (await portal.alarms(actor)).contact(actor)));
  });

  router.post('/s/:token/alarms/contact', async (ctx) => {
    const { portal, actor } = ctx.state;
    const typed = { email: ctx.state.form.email ?? '', phone: ctx.state.form.phone ?? '' };
    try {
      const saved = await (await portal.alarms(actor)).setContact(actor, typed);
      show(ctx, 'contact_form', contactPage(ctx, saved, { notice: 'Saved.' }));
    } catch (err) {
      if (!(err instanceof CoreError) || err.kind !== 'invalid') throw err;
      show(ctx, 'contact_form', contactPage(ctx, typed, { error: err.message }), statusOf(err));
    }
  });

  router.get('/s/:token/d/:cell/:db/fields/:field/alarm', async (ctx) => {
    const ref = dbParam(ctx.params);
    const db = await ctx.state.portal.database(ctx.state.actor, ref);
    const field = alarmField(db.fields, ctx.params.field);
    const spec = field.options.alarm!;
    show(ctx, 'alarm_form', alarmForm(ctx, ref, db.name, db.fields, field, { watch: spec.watch ?? '', op: spec.op, event: spec.event }));
  });

  router.post('/s/:token/d/:cell/:db/fields/:field/alarm', async (ctx) => {
    const ref = dbParam(ctx.params);
    const { portal, actor, form } = ctx.state;
    const db = await portal.database(actor, ref);
    const field = alarmField(db.fields, ctx.params.field);
    const spec = { watch: form.watch ?? '', op: form.op ?? '', event: form.event ?? '' };
    try {
      await portal.setAlarm(actor, ref, field.id, spec);
      goTo(ctx, ctx.state.links.fields(ref));
    } catch (err) {
      if (!(err instanceof CoreError) || err.kind !== 'invalid') throw err;
      show(ctx, 'alarm_form', { ...alarmForm(ctx, ref, db.name, db.fields, field, spec), error: err.message }, statusOf(err));
    }
  });

  // The link in an SMS or a mail: outside any session, so it asks for a login, after which the
  // notices not yet seen come first (see login.ts).
  // The link in an alarm SMS or mail: log in, then on to the alarm.
  router.get('/a/:id', (ctx) => {
    const id = idParam(ctx.params.id);
    show(ctx, 'login', { ...loginPage('', undefined, `a/${id}`), notice: 'Log in to see your alarm.' });
  });

  /** One alarm: what it is about (the record, which asks for the locker password if need be, or the event). */
  router.get('/s/:token/a/:id', async (ctx) => {
    const { portal, actor, links } = ctx.state;
    const notice = await (await portal.alarms(actor)).notice(actor, idParam(ctx.params.id));
    goTo(ctx, links.inSession(notice.link));
  });
}

function alarmField(fields: readonly Field[], raw: string | undefined): Field {
  const id = idParam(raw);
  const field = fields.find((f) => f.id === id && f.type === 'alarm');
  if (!field) throw new CoreError('not-found', 'This alarm field does not exist.');
  return field;
}

function alarmForm(ctx: Ctx, ref: { cellId: string; dbId: number }, dbName: string, fields: readonly Field[], field: Field, values: { watch: string; op: string; event: string }) {
  const { links } = ctx.state;
  const selected = <T extends { value: string }>(items: T[], value: string) => items.map((i) => ({ ...i, selected: i.value === value }));
  return {
    title: field.name,
    db: { name: dbName, url: links.db(ref) },
    action: links.alarmField(ref, field.id),
    watchable: selected(watchable(fields), values.watch),
    ops: selected(ALARM_OPS.map((op) => ({ value: op, label: COMPARISON_LABELS[op] })), values.op),
    events: selected(ALARM_EVENTS.map((e) => ({ value: e, label: EVENT_LABELS[e] })), values.event),
    values,
    cancel: links.fields(ref),
    home: links.home(),
    logout: links.logout(),
  };
}
