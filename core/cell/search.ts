// The search module: one field, one comparison, one typed operand, answered from the
// (field, value, record) indexes of field_values so it stays fast on large databases.
import type { SqlValue, Store } from '../store/store.ts';
import { invalid } from '../errors.ts';
import { COMPARISONS, fold, indexColumn, parseValue, valueKind, type Comparison, type Field } from './fields.ts';

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

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => '\\' + c);

/** The SQL condition, its parameters, and the order that lets the index answer it. */
function plan(query: Query, field: Field, fields: readonly Field[]): { where: string; params: SqlValue[]; order: string } {
  if (!COMPARISONS.includes(query.op)) throw invalid('Unknown comparison.', 'op');
  const kind = valueKind(field, fields);
  const col = indexColumn(kind);
  const byRecord = 'record_id';
  if (query.op === 'empty') return { where: `${col} IS NULL`, params: [], order: byRecord };
  if (query.op === 'notempty') return { where: `${col} IS NOT NULL`, params: [], order: byRecord };

  if (TEXT_OPS.has(query.op)) {
    if (col !== 'txt' || kind === 'date') throw invalid(`"${field.name}" is not text: use =, <, > and the like.`, 'op');
    const needle = fold(query.operand.trim());
    if (!needle) throw invalid('Type something to search for.', 'q');
    return query.op === 'starts'
      ? { where: 'txt >= ? AND txt < ?', params: [needle, needle + TOP], order: 'txt, record_id' }
      : { where: "txt LIKE ? ESCAPE '\\'", params: [`%${escapeLike(needle)}%`], order: byRecord };
  }

  const value = parseValue(kind, query.operand, field.name, field.options.choices);
  if (value === null) throw invalid(`Type a value for "${field.name}", or search for "is empty".`, 'q');
  const operand = col === 'num' ? Number(value) : kind === 'date' ? String(value) : fold(String(value));
  if (query.op === 'ne') return { where: `(${col} IS NULL OR ${col} <> ?)`, params: [operand], order: byRecord };
  if (ORDER_OPS.has(query.op)) return { where: `${col} ${SQL_OP[query.op]} ?`, params: [operand], order: `${col}, record_id` };
  return { where: `${col} = ?`, params: [operand], order: byRecord };
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
