// One record: view (long values continued on "more" pages), add, edit, delete.
import type Router from '@koa/router';
import type { GatewayState, Ctx } from '../context.ts';
import type { Database } from '../../core/cell/cell.ts';
import { valueKind, type Field, type Value } from '../../core/cell/fields.ts';
import { emoji } from '../../transcode/emoji.ts';
import type { RecordInput } from '../../core/cell/records.ts';
import type { DbRef } from '../../core/portal.ts';
import { CoreError } from '../../core/errors.ts';
import { splitText } from '../../transcode/paginate.ts';
import { showFitted } from '../fit.ts';
import { formatValue } from '../present.ts';
import { goTo, show, withSession } from '../respond.ts';
import { render } from '../render.ts';
import { statusOf } from '../errors.ts';
import { dbParam, idParam, offsetParam } from './params.ts';
import type { FormPart } from '../links.ts';
import type { Markup } from '../device.ts';

/** The longest piece of one value shown at once; longer values continue on the next page. */
export const PIECE_CHARS: Record<Markup, number> = { wml: 200, chtml: 800, html: 2000 };
const HINTS = { date: 'YYYY-MM-DD', number: 'a number' } as const;

export function recordRoutes(router: Router<GatewayState>): void {
  router.get('/s/:token/d/:cell/:db/r/:id', async (ctx) => {
    const { portal, actor, links, device } = ctx.state;
    const ref = dbParam(ctx.params);
    const id = idParam(ctx.params.id);
    const from = offsetParam(ctx.state.form.from);
    await ctx.state.pages.serve(ctx, await portal.database(actor, ref), async () => {
      const { db, record } = await portal.record(actor, ref, id);
      // An alarm field carries the bell: DoCoMo's pictogram on i-mode, "[alarm]" elsewhere.
      const labelOf = (field: Field) => (field.type === 'alarm' ? `${emoji('alarm', device.markup)} ${field.name}` : field.name);
      const lines = db.fields.flatMap((field) =>
        splitText(formatValue(field, record.values[field.id]) || '-', PIECE_CHARS[device.markup]).map((value) => ({ label: labelOf(field), value })),
      );
      const writable = db.right !== 'read';
      showFitted(ctx, 'record', lines.slice(from), false, (shown, next) => ({
        title: db.name,
        db: { name: db.name, url: links.db(ref) },
        lines: shown,
        edit: writable ? links.editRecord(ref, id) : undefined,
        delete: writable ? links.deleteRecord(ref, id) : undefined,
        next: next === null ? undefined : links.record(ref, id, from + next),
        prev: from > 0 ? links.record(ref, id) : undefined,
        home: links.home(),
        logout: links.logout(),
      }));
    });
  });

  // A form too large for the handset comes in parts: each part saves its fields (fields left out
  // keep their value) and goes on to the next part, then to the record.
  router.get('/s/:token/d/:cell/:db/new', async (ctx) => {
    const ref = dbParam(ctx.params);
    const db = await ctx.state.portal.database(ctx.state.actor, ref);
    showRecordForm(ctx, ref, db, (part) => ctx.state.links.newRecord(ref, part), {});
  });

  router.post('/s/:token/d/:cell/:db/new', async (ctx) => {
    const ref = dbParam(ctx.params);
    const input = formInput(ctx);
    await saveOrShowAgain(ctx, ref, (part) => ctx.state.links.newRecord(ref, part), input, async () => {
      const id = await ctx.state.portal.createRecord(ctx.state.actor, ref, input);
      goOn(ctx, ref, id);
    });
  });

  router.get('/s/:token/d/:cell/:db/r/:id/edit', async (ctx) => {
    const ref = dbParam(ctx.params);
    const id = idParam(ctx.params.id);
    const { db, record } = await ctx.state.portal.record(ctx.state.actor, ref, id);
    if (db.right === 'read') throw new CoreError('forbidden', 'You may read this database but not change it.');
    const values = Object.fromEntries(db.fields.map((f) => [String(f.id), rawValue(record.values[f.id])]));
    showRecordForm(ctx, ref, db, (part) => ctx.state.links.editRecord(ref, id, part), values, {}, ctx.state.links.record(ref, id));
  });

  router.post('/s/:token/d/:cell/:db/r/:id/edit', async (ctx) => {
    const ref = dbParam(ctx.params);
    const id = idParam(ctx.params.id);
    const input = formInput(ctx);
    await saveOrShowAgain(ctx, ref, (part) => ctx.state.links.editRecord(ref, id, part), input, async () => {
      await ctx.state.portal.updateRecord(ctx.state.actor, ref, id, input);
      goOn(ctx, ref, id);
    });
  });

  router.get('/s/:token/d/:cell/:db/r/:id/delete', async (ctx) => {
    const { links } = ctx.state;
    const ref = dbParam(ctx.params);
    const id = idParam(ctx.params.id);
    const { db } = await ctx.state.portal.record(ctx.state.actor, ref, id);
    if (db.right === 'read') throw new CoreError('forbidden', 'You may read this database but not change it.');
    show(ctx, 'confirm', { title: 'Delete', message: `Delete this record from ${db.name}?`, action: links.deleteRecord(ref, id), yes: 'Delete', cancel: links.record(ref, id), home: links.home(), logout: links.logout() });
  });

  router.post('/s/:token/d/:cell/:db/r/:id/delete', async (ctx) => {
    const ref = dbParam(ctx.params);
    await ctx.state.portal.deleteRecord(ctx.state.actor, ref, idParam(ctx.params.id));
    goTo(ctx, ctx.state.links.db(ref));
  });
}

/** Form fields are named `f<field id>`; the core takes values by field id. */
function formInput(ctx: Ctx): RecordInput {
  return Object.fromEntries(
    Object.entries(ctx.state.form)
      .filter(([name]) => /^f\d+$/.test(name))
      .map(([name, value]) => [name.slice(1), value]),
  );
}

const rawValue = (value: Value | undefined) => (value === undefined ? '' : typeof value === 'boolean' ? (value ? '1' : '') : String(value));

/** After a part of a record form: its next part if the form was cut, else the record. */
function goOn(ctx: Ctx, ref: DbRef, id: number): void {
  const next = offsetParam(ctx.state.form.next);
  goTo(ctx, next ? ctx.state.links.editRecord(ref, id, { from: next }) : ctx.state.links.record(ref, id));
}

/** Saves; a value the core refuses shows the form again with what the user typed and the reason. */
async function saveOrShowAgain(ctx: Ctx, ref: DbRef, action: (part: FormPart) => string, input: RecordInput, save: () => Promise<void>) {
  try {
    await save();
  } catch (err) {
    if (!(err instanceof CoreError) || !['invalid', 'conflict', 'too-large'].includes(err.kind)) throw err;
    const db = await ctx.state.portal.database(ctx.state.actor, ref);
    showRecordForm(ctx, ref, db, action, input, { error: err.message, status: statusOf(err) });
  }
}

/**
 * The record form, as many fields from `?from=` as fit the handset; the action says where the next
 * part starts. `readAll` is the record's page, where a value too long to edit here is read whole.
 */
function showRecordForm(
  ctx: Ctx,
  ref: DbRef,
  db: Database,
  action: (part: FormPart) => string,
  values: RecordInput,
  problem: { error?: string; status?: number } = {},
  readAll?: string,
) {
  const from = offsetParam(ctx.state.form.from);
  const form = recordForm(ctx, ref, db, values);
  const model = (inputs: readonly FormInput[], next: number | null) => ({ ...form, inputs, action: action({ from, next: next === null ? undefined : from + next }), error: problem.error });
  // A value this form cannot hold is shown, not put in the form: its start and a link to all of it.
  // Left out of the post, it keeps its value. Such is a value whose input alone would overflow the
  // handset's page (a long note on a phone), and text of several lines where the markup has no box.
  const { markup, budget } = ctx.state.device;
  const fits = (inputs: readonly FormInput[]) => render(ctx.state.device, 'record_form', withSession(ctx, model(inputs, null))).airBytes <= budget;
  // The usual form fits whole, and then each input alone does too: one render, not one per value.
  const allFit = fits(form.inputs);
  const fitsAlone = (input: FormInput) => allFit || fits([input]);
  const why = (input: FormInput): ReadOnly['why'] | undefined => {
    if (input.type !== 'text' || input.value === '') return undefined;
    if (!fitsAlone(input)) return 'long';
    return input.multiline && !HAS_BOX.has(markup) ? 'lines' : undefined;
  };
  const inputs = form.inputs.map((input) => {
    const reason = why(input);
    return reason ? { ...input, value: '', readOnly: { start: splitText(input.value, PIECE_CHARS[markup])[0], chars: input.value.length, readAll, why: reason } } : input;
  });
  showFitted(ctx, 'record_form', inputs.slice(from), false, model, problem.status);
}

/** Markups with a box for text of several lines. WML has none: its variables are attribute values, whose line breaks become spaces. */
const HAS_BOX: ReadonlySet<Markup> = new Set(['chtml', 'html']);

/** A value shown in the form rather than edited there: too long for the page, or lines the markup cannot keep. */
type ReadOnly = { start: string; chars: number; readAll?: string; why: 'long' | 'lines' };
type FormInput = ReturnType<typeof recordForm>['inputs'][number] & { readOnly?: ReadOnly };

function recordForm(ctx: Ctx, ref: DbRef, db: Database, values: RecordInput) {
  const { links } = ctx.state;
  return {
    title: db.name,
    db: { name: db.name, url: links.db(ref) },
    inputs: db.fields.map((field) => {
      const kind = valueKind(field, db.fields);
      const value = values[field.id] ?? '';
      return {
        name: `f${field.id}`,
        label: field.name,
        type: field.type,
        value,
        choices: field.options.choices?.map((c) => ({ value: c, label: c, selected: c === value })),
        checked: kind === 'checkbox' ? ['1', 'on', 'yes', 'true'].includes(value.toLowerCase()) : undefined,
        hint: kind === 'date' || kind === 'number' ? HINTS[kind] : undefined,
        // A one-line input drops line breaks: text of several lines is edited in a box where the markup has one.
        multiline: kind === 'text' && value.includes('\n'),
      };
    }),
    cancel: links.db(ref),
    home: links.home(),
    logout: links.logout(),
  };
}
