// A database's record list, and adding fields to it.
import type Router from '@koa/router';
import type { GatewayState, Ctx } from '../context.ts';
import { ALARM_EVENTS, COMPARISONS, FIELD_TYPES, type Field } from '../../core/cell/fields.ts';
import type { NewField } from '../../core/cell/cell.ts';
import type { DbRef } from '../../core/portal.ts';
import { CoreError } from '../../core/errors.ts';
import { PAGE_ITEMS, showFitted } from '../fit.ts';
import { COMPARISON_LABELS, TYPE_LABELS, alarmSummary, recordLabel } from '../present.ts';
import { goTo, show } from '../respond.ts';
import { statusOf } from '../errors.ts';
import { dbParam, offsetParam } from './params.ts';

export const EVENT_LABELS = { login: 'Show at login', email: 'Email me', sms: 'SMS me' } as const;
export const ALARM_OPS = COMPARISONS.filter((op) => !['contains', 'starts', 'empty', 'notempty'].includes(op));

export function databaseRoutes(router: Router<GatewayState>): void {
  router.get('/s/:token/d/:cell/:db', async (ctx) => {
    const { portal, actor, links, device } = ctx.state;
    const ref = dbParam(ctx.params);
    const from = offsetParam(ctx.state.form.from);
    const current = await portal.database(actor, ref);
    await ctx.state.pages.serve(ctx, current, async () => {
      const { db, items, more } = await portal.records(actor, ref, from, PAGE_ITEMS[device.markup]);
      showFitted(ctx, 'database', items, more, (shown, next) => ({
        title: db.name,
        db: { name: db.name, owner: db.owner, right: db.right, url: links.db(ref) },
        records: shown.map((r) => ({ url: links.record(ref, r.id), label: recordLabel(db.fields, r) })),
        count: db.recordCount,
        add: db.right !== 'read' && db.fields.length > 0 ? links.newRecord(ref) : undefined,
        addField: db.right === 'owner' ? links.fields(ref) : undefined,
        share: db.right === 'owner' && !db.locked ? links.share(ref) : undefined,
        lock: db.right === 'owner' ? links.lockToggle(ref) : undefined,
        lockLabel: db.locked ? 'Take out of locker' : 'Put in locker',
        search: links.search(ref),
        next: next === null ? undefined : links.db(ref, from + next),
        prev: from > 0 ? links.db(ref, Math.max(0, from - PAGE_ITEMS[device.markup])) : undefined,
        home: links.home(),
        logout: links.logout(),
      }));
    });
  });

  router.get('/s/:token/d/:cell/:db/fields', async (ctx) => {
    const ref = dbParam(ctx.params);
    const db = await ctx.state.portal.database(ctx.state.actor, ref);
    show(ctx, 'field_form', fieldForm(ctx, ref, db.name, db.fields, { type: 'text' }));
  });

  router.post('/s/:token/d/:cell/:db/fields', async (ctx) => {
    const ref = dbParam(ctx.params);
    const f = ctx.state.form;
    const spec: NewField = { name: f.name ?? '', type: f.type ?? '', choices: f.choices, watch: f.watch, op: f.op, event: f.event };
    try {
      const field = await ctx.state.portal.addField(ctx.state.actor, ref, spec);
      const db = await ctx.state.portal.database(ctx.state.actor, ref);
      show(ctx, 'field_form', { ...fieldForm(ctx, ref, db.name, db.fields, { type: 'text' }), notice: `Field "${field.name}" added.` });
    } catch (err) {
      if (!(err instanceof CoreError) || err.kind === 'forbidden' || err.kind === 'not-found') throw err;
      const db = await ctx.state.portal.database(ctx.state.actor, ref);
      show(ctx, 'field_form', { ...fieldForm(ctx, ref, db.name, db.fields, spec), error: err.message }, statusOf(err));
    }
  });
}

/** What an alarm can watch: the date, or a number or date field. */
export function watchable(fields: readonly Field[]) {
  return [{ value: '', label: 'the date' }, ...fields.filter((f) => f.type === 'number' || f.type === 'date').map((f) => ({ value: f.name, label: f.name }))];
}

function fieldForm(ctx: Ctx, ref: DbRef, name: string, fields: readonly Field[], values: Partial<NewField>) {
  const { links } = ctx.state;
  return {
    title: 'Fields',
    db: { name, url: links.db(ref) },
    action: links.fields(ref),
    existing: fields.map((f) => `${f.name} (${TYPE_LABELS[f.type]})`),
    alarmFields: fields.filter((f) => f.type === 'alarm').map((f) => ({ label: `${f.name}: ${alarmSummary(f)}`, url: links.alarmField(ref, f.id) })),
    types: FIELD_TYPES.map((t) => ({ value: t, label: TYPE_LABELS[t] })),
    ops: ALARM_OPS.map((op) => ({ value: op, label: COMPARISON_LABELS[op] })),
    watchable: watchable(fields),
    events: ALARM_EVENTS.map((e) => ({ value: e, label: EVENT_LABELS[e] })),
    values: { name: values.name ?? '', type: values.type ?? 'text', choices: values.choices ?? '', watch: values.watch ?? '', op: values.op ?? '', event: values.event ?? 'login' },
    done: links.db(ref),
    home: links.home(),
    logout: links.logout(),
  };
}
