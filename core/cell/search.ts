// The search module: one field, one comparison, one typed operand, answered from the
// (field, value, record) indexes of field_values so it stays fast on large databases.
import type { SqlValue, Store } from '../store/store.ts';
import { invalid } from '../errors.ts';
import { COMPARISONS, indexColumn, indexKey, parseValue, valueKind, type Comparison, type Field } from './fields.ts';

export interface Query {
  fieldId: number;
  op: Comparison;
  /** What the user typed; ignored by "is empty" and "is not empty". */
  operand: string;
}

const ORDER_OPS = new Set<Comparison>(['lt', 'le', 'gt', 'ge']);
const TEXT_OPS = new Set<Comparison>(['contains', 'starts']);
const SQL_OP: Partial<Record<Comparison, string>> = { eq: '=', lt: '<', le: '<=', gt: '>', ge: '>=' };
// Above every code point, so `txt < prefix + TOP` bounds a "starts with" range.
const TOP = '\u{10FFFF}';

/** The SQL condition, its parameters, and the order that lets the index answer it. */
function plan(query: Query, field: Field, fields: readonly Field[]): { where: string; params: SqlValue[]; order: string } {
  if (!COMPARISONS.includes(query.op)) throw invalid('Unknown comparison.', 'op');
  const kind = valueKind(field, fields);
  const col = indexColumn(kind);
  const byRecord = 'record_id';
  if (query.op === 'empty') return { where: `${col} IS NULL`, params: [], order: byRecord };
  if (query.op === 'notempty') return { where: `${col} IS NOT NULL`, params: [], order: byRecord };

  if (TEXT_OPS.has(query.op)) {
    if (col !== 'txt') throw invalid(`"${field.name}" is not text: use =, <, > and the like.`, 'op');
    const needle = indexKey(kind, query.operand.trim() || null);
    if (needle.txt === null) throw invalid('Type something to search for.', 'q');
    if (query.op === 'contains') return { where: 'INSTR(COALESCE(txt_full, txt), ?) > 0', params: [needle.full ?? needle.txt], order: byRecord };
    // A prefix range on the key; a prefix longer than the key is checked on the whole text too.
    return needle.full === null
      ? { where: 'txt >= ? AND txt < ?', params: [needle.txt, needle.txt + TOP], order: 'txt, record_id' }
      : { where: 'txt = ? AND INSTR(txt_full, ?) = 1', params: [needle.txt, needle.full], order: byRecord };
  }

  const value = parseValue(kind, query.operand, field.name, field.options.choices);
  if (value === null) throw invalid(`Type a value for "${field.name}", or search for "is empty".`, 'q');
  const key = indexKey(kind, value);
  if (col === 'num') {
    if (query.op === 'ne') return { where: '(num IS NULL OR num <> ?)', params: [key.num], order: byRecord };
    // Ordered as the index is (for = too, where it reads as by record), so no planner picks a scan to skip a sort.
    return { where: `num ${SQL_OP[query.op]} ?`, params: [key.num], order: 'num, record_id' };
  }
  // Text: equal means the same key and, past the key, the same whole text.
  // (Written so that no part is NULL: NOT of NULL would drop rows from "not equal".)
  const equal = key.full === null ? 'txt = ? AND txt_full IS NULL' : 'txt = ? AND txt_full IS NOT NULL AND txt_full = ?';
  const equalParams = key.full === null ? [key.txt] : [key.txt, key.full];
  if (query.op === 'eq') return { where: equal, params: equalParams, order: 'txt, record_id' };
  if (query.op === 'ne') return { where: `(txt IS NULL OR NOT (${equal}))`, params: equalParams, order: byRecord };
  // Order comparisons on text go by the key: values alike in their first KEY_CHARS characters compare as equal.
  return { where: `txt ${SQL_OP[query.op]} ?`, params: [key.txt], order: 'txt, record_id' };
}

/** Ids of one page of matching records; one more than asked tells whether more follow. */
export async function searchIds(store: Store, fields: readonly Field[], query: Query, offset: number, limit: number): Promise<{ ids: number[]; more: boolean }> {
  const field = fields.find((f) => f.id === query.fieldId);
  if (!field) throw invalid('Choose a field to search in.', 'f');
  const { where, params, order } = plan(query, field, fields);
  const rows = await store.all<{ record_id: number }>(
    `SELECT record_id FROM field_values WHERE field_id = ? AND ${where} ORDER BY ${order} LIMIT ? OFFSET ?`,
    [field.id, ...params, limit + 1, offset],
  );
  return { ids: rows.slice(0, limit).map((r) => Number(r.record_id)), more: rows.length > limit };
}
