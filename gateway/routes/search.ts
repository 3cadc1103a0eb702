// The dynamic search engine of seed 000: a field, a comparison and an operand; results a page at a time.
import type Router from '@koa/router';
import type { GatewayState, Ctx } from '../context.ts';
import { COMPARISONS, type Comparison } from '../../core/cell/fields.ts';
import type { Database } from '../../core/cell/cell.ts';
import type { DbRef } from '../../core/portal.ts';
import { CoreError } from '../../core/errors.ts';
import { PAGE_ITEMS, showFitted } from '../fit.ts';
import { COMPARISON_LABELS, recordLabel } from '../present.ts';
import { show } from '../respond.ts';
import { statusOf } from '../errors.ts';
import { dbParam, offsetParam } from './params.ts';

interface Criteria {
  f: string;
  op: string;
  q: string;
}

export function searchRoutes(router: Router<GatewayState>): void {
  router.get('/s/:token/d/:cell/:db/search', async (ctx) => {
    const ref = dbParam(ctx.params);
    const db = await ctx.state.portal.database(ctx.state.actor, ref);
    show(ctx, 'search', searchForm(ctx, ref, db, criteriaOf(ctx)));
  });

  router.get('/s/:token/d/:cell/:db/find', async (ctx) => {
    const { portal, actor, links, device } = ctx.state;
    const ref = dbParam(ctx.params);
    const criteria = criteriaOf(ctx);
    const from = offsetParam(ctx.state.form.from);
    const op = criteria.op as Comparison;
    let found;
    try {
      found = await portal.search(actor, ref, { fieldId: Number(criteria.f), op, operand: criteria.q }, from, PAGE_ITEMS[device.markup]);
    } catch (err) {
      if (!(err instanceof CoreError) || err.kind !== 'invalid') throw err;
      const db = await portal.database(actor, ref);
      return show(ctx, 'search', { ...searchForm(ctx, ref, db, criteria), error: err.message }, statusOf(err));
    }
    const { db, items, more } = found;
    const field = db.fields.find((f) => f.id === Number(criteria.f));
    const unary = op === 'empty' || op === 'notempty';
    showFitted(ctx, 'results', items, more, (shown, next) => ({
      title: 'Found',
      db: { name: db.name, url: links.db(ref) },
      summary: `${field?.name} ${COMPARISON_LABELS[op]}${unary ? '' : ' ' + criteria.q.trim()}`,
      records: shown.map((r) => ({ url: links.record(ref, r.id), label: recordLabel(db.fields, r) })),
      again: links.search(ref, criteria),
      next: next === null ? undefined : links.results(ref, criteria, from + next),
      prev: from > 0 ? links.results(ref, criteria, Math.max(0, from - PAGE_ITEMS[device.markup])) : undefined,
      home: links.home(),
      logout: links.logout(),
    }));
  });
}

function criteriaOf(ctx: Ctx): Criteria {
  const { f = '', op = 'eq', q = '' } = ctx.state.form;
  return { f, op: COMPARISONS.includes(op as Comparison) ? op : 'eq', q };
}

function searchForm(ctx: Ctx, ref: DbRef, db: Database, criteria: Criteria) {
  const { links } = ctx.state;
  return {
    title: 'Search',
    db: { name: db.name, url: links.db(ref) },
    action: links.results(ref, { f: '', op: '', q: '' }),
    fields: db.fields.map((f) => ({ value: String(f.id), label: f.name, selected: String(f.id) === criteria.f })),
    ops: COMPARISONS.map((op) => ({ value: op, label: COMPARISON_LABELS[op], selected: op === criteria.op })),
    q: criteria.q,
    home: links.home(),
    logout: links.logout(),
  };
}
