// The search module: one field, one comparison, one typed operand, answered from the
// (field, value, record) indexes of field_values, and "contains" from the trigram index
// field_grams, so it stays fast on large databases.
import type { Dialect, SqlValue, Store } from '../store/store.ts';
import { KEY_CHARS } from '../store/migrate.ts';
import { invalid } from '../errors.ts';
import { COMPARISONS, indexColumn, indexKey, parseValue, valueKind, type Comparison, type Field } from './fields.ts';
import { trigrams } from './records.ts';

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

/** The SQL condition, its parameters, and the order that lets the index answer it; for "contains", the folded needle too. */
function plan(query: Query, field: Field, fields: readonly Field[], dialect: Dialect): { where: string; params: SqlValue[]; order: string; needle?: string } {
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
    if (query.op === 'contains') {
      const folded = needle.full ?? needle.txt;
      return { where: 'INSTR(COALESCE(txt_full, txt), ?) > 0', params: [folded], order: byRecord, needle: folded };
    }
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
  // Only a value longer than the key has a key of KEY_CHARS characters, so a shorter key equal to
  // txt is a whole value: on SQLite `txt = ?` says it all, and the (field, txt, record) index answers
  // alone (with txt_full to check, SQLite's planner walks all the field's rows instead). MySQL's
  // PAD SPACE collation takes a cut key that ends in spaces as equal to it without them, so there
  // txt_full is checked too.
  const whole = key.full === null && dialect === 'sqlite' && [...key.txt!].length < KEY_CHARS;
  const equal = key.full !== null ? 'txt = ? AND txt_full IS NOT NULL AND txt_full = ?' : whole ? 'txt = ?' : 'txt = ? AND txt_full IS NULL';
  const equalParams = key.full === null ? [key.txt] : [key.txt, key.full];
  if (query.op === 'eq') return { where: equal, params: equalParams, order: 'txt, record_id' };
  if (query.op === 'ne') return { where: `(txt IS NULL OR NOT (${equal}))`, params: equalParams, order: byRecord };
  // Order comparisons on text go by the key: values alike in their first KEY_CHARS characters compare as equal.
  return { where: `txt ${SQL_OP[query.op]} ?`, params: [key.txt], order: 'txt, record_id' };
}

// "contains" by trigrams: every value holding the needle holds each of its trigrams, so the
// records under any one of them, checked one by one, are all the matches. The rarest is cheapest.

/** A trigram in more values than this is common: the scan then finds a page of matches about as soon. */
const GRAM_CAP = 2000;
/** At most this many of a long needle's trigrams are counted, spread over it (a common one costs about 0.1 ms on SQLite, 1 ms on MariaDB). */
const MAX_PROBES = 8;

/** The needle's rarest trigram of those counted, with its count of values (capped at GRAM_CAP). */
async function rarestGram(store: Store, fieldId: number, needle: string): Promise<{ gram: string; count: number }> {
  const grams = trigrams(needle);
  const probes = grams.length <= MAX_PROBES ? grams : Array.from({ length: MAX_PROBES }, (_, i) => grams[Math.floor((i * grams.length) / MAX_PROBES)]);
  // One statement for all of them: each count stops at the cap, so a common trigram costs no more than that.
  const rows = await store.all<{ i: number; n: number }>(
    probes.map((_, i) => `SELECT ${i} AS i, COUNT(*) AS n FROM (SELECT 1 AS one FROM field_grams WHERE field_id = ? AND gram = ? LIMIT ${GRAM_CAP}) p${i}`).join(' UNION ALL '),
    probes.flatMap((gram) => [fieldId, gram]),
  );
  let rarest = { gram: probes[0], count: GRAM_CAP };
  for (const r of rows) if (Number(r.n) < rarest.count) rarest = { gram: probes[Number(r.i)], count: Number(r.n) };
  return rarest;
}

export interface Statement {
  sql: string;
  params: SqlValue[];
}

/** The statement that reads one page of matching ids (one more than asked), or null when nothing can match. */
export async function searchStatement(store: Store, fields: readonly Field[], query: Query, offset: number, limit: number): Promise<Statement | null> {
  const field = fields.find((f) => f.id === query.fieldId);
  if (!field) throw invalid('Choose a field to search in.', 'f');
  const { where, params, order, needle } = plan(query, field, fields, store.dialect);
  const page = [limit + 1, offset];
  if (needle !== undefined && [...needle].length >= 3) {
    const driver = await rarestGram(store, field.id, needle);
    if (driver.count === 0) return null;
    if (driver.count < GRAM_CAP) {
      // The join order is pinned: the trigram's records in record order, then each one's value checked.
      const join = store.dialect === 'mysql' ? 'STRAIGHT_JOIN' : 'CROSS JOIN';
      return {
        sql:
          `SELECT field_grams.record_id FROM field_grams ${join} field_values ON field_values.field_id = field_grams.field_id AND field_values.record_id = field_grams.record_id` +
          ` WHERE field_grams.field_id = ? AND field_grams.gram = ? AND INSTR(COALESCE(field_values.txt_full, field_values.txt), ?) > 0 ORDER BY field_grams.record_id LIMIT ? OFFSET ?`,
        params: [field.id, driver.gram, needle, ...page],
      };
    }
  }
  return { sql: `SELECT record_id FROM field_values WHERE field_id = ? AND ${where} ORDER BY ${order} LIMIT ? OFFSET ?`, params: [field.id, ...params, ...page] };
}

/** Ids of one page of matching records; one more than asked tells whether more follow. */
export async function searchIds(store: Store, fields: readonly Field[], query: Query, offset: number, limit: number): Promise<{ ids: number[]; more: boolean }> {
  const statement = await searchStatement(store, fields, query, offset, limit);
  if (!statement) return { ids: [], more: false };
  const rows = await store.all<{ record_id: number }>(statement.sql, statement.params);
  return { ids: rows.slice(0, limit).map((r) => Number(r.record_id)), more: rows.length > limit };
}
