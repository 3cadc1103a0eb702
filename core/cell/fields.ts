// User-defined fields: their types, how a typed value is read from what a user typed,
// and the index key a value is searched by.
import { invalid, tooLarge } from '../errors.ts';
import { KEY_CHARS } from '../store/migrate.ts';

export const FIELD_TYPES = ['text', 'number', 'date', 'checkbox', 'choice', 'alarm'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export const COMPARISONS = ['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'contains', 'starts', 'empty', 'notempty'] as const;
export type Comparison = (typeof COMPARISONS)[number];

export const ALARM_EVENTS = ['login', 'email', 'sms'] as const;
export type AlarmEvent = (typeof ALARM_EVENTS)[number];

/**
 * An alarm field: each record's value is a limit. With no `watch` the limit is a date and the
 * alarm is due when that day comes; otherwise it is due when the watched field's value compares
 * to the limit as `op` says ("Bottles lt 3").
 */
export interface AlarmSpec {
  watch: string | null;
  op: Comparison;
  event: AlarmEvent;
}

export interface FieldOptions {
  choices?: string[];
  alarm?: AlarmSpec;
}

export interface Field {
  id: number;
  name: string;
  type: FieldType;
  position: number;
  options: FieldOptions;
}

/** A stored value: text, choice and date are strings ('YYYY-MM-DD' for dates), numbers are numbers, checkboxes booleans. */
export type Value = string | number | boolean;

/** What a value is searched by: a field uses either the text key or the number key. */
export interface IndexKey {
  /** Folded text, cut to KEY_CHARS characters so that every store can index all of it. */
  txt: string | null;
  /** The whole folded text, only when it is longer than the key. */
  full: string | null;
  num: number | null;
}

/**
 * The longest text value, in UTF-16 code units, for forms on every device and for sync alike.
 * Desktop PIMs keep notes of tens of KB on a contact or an event (minutes, pasted mails: the
 * recorded SyncEvolution session 22 carries a 40 KB NOTE), and a value refused at sync is an item
 * the user loses on the way. 100,000 holds such notes with room to spare, while a value stays under
 * half a MB in any vCard encoding (far below the MaxObjSize we announce) and its distinct trigrams
 * a bounded number of index rows.
 */
export const MAX_TEXT = 100_000;
export const MAX_NAME = 40;

/** The kind of value a field holds; an alarm holds a limit of its watched field's kind (a date without one). */
export function valueKind(field: Field, fields: readonly Field[]): Exclude<FieldType, 'alarm'> {
  if (field.type !== 'alarm') return field.type;
  const watched = fields.find((f) => f.name === field.options.alarm?.watch);
  return watched && watched.type !== 'alarm' ? watched.type : 'date';
}

/** Which index column a field is searched in: dates as numbers (YYYYMMDD), so ranges sort in the index. */
export function indexColumn(kind: Exclude<FieldType, 'alarm'>): 'txt' | 'num' {
  return kind === 'text' || kind === 'choice' ? 'txt' : 'num';
}

/** The number key of a value: checkboxes 0/1, dates YYYYMMDD. */
function numberKey(value: Value): number {
  if (typeof value === 'string') return Number(value.replaceAll('-', ''));
  return Number(value);
}

/** Case- and width-insensitive form of text, so "margaux" finds "Margaux" and "ｶﾅ" finds "カナ". */
export function fold(text: string): string {
  return text.normalize('NFKC').toLowerCase();
}

const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

export function checkName(raw: string, what: string): string {
  const name = raw.trim().replace(/\s+/g, ' ');
  if (!name) throw invalid(`${what} must not be empty.`, 'name');
  if (name.length > MAX_NAME) throw invalid(`${what} is too long (at most ${MAX_NAME} characters).`, 'name');
  if (CONTROL.test(name)) throw invalid(`${what} contains control characters.`, 'name');
  return name;
}

function isRealDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}

/**
 * Reads what a user typed into a value of the given kind; '' means empty (null).
 * Throws a user-facing error naming the field when the text is not a value of that kind.
 */
export function parseValue(kind: Exclude<FieldType, 'alarm'>, raw: string, label: string, choices: readonly string[] = []): Value | null {
  const text = raw.trim();
  if (kind === 'checkbox') return ['1', 'on', 'yes', 'true', 'y'].includes(text.toLowerCase());
  if (text === '') return null;
  switch (kind) {
    case 'number': {
      const normal = text.replace(/\s/g, '').replace(',', '.');
      if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(normal) || !Number.isFinite(Number(normal))) {
        throw invalid(`${label} must be a number.`, label);
      }
      return Number(normal);
    }
    case 'date':
      if (!isRealDate(text)) throw invalid(`${label} must be a date written YYYY-MM-DD.`, label);
      return text;
    case 'choice':
      if (!choices.includes(text)) throw invalid(`${label} must be one of: ${choices.join(', ')}.`, label);
      return text;
    case 'text':
      if (text.length > MAX_TEXT) throw tooLarge(`${label} is too long (at most ${MAX_TEXT.toLocaleString('en')} characters).`, label);
      if (CONTROL.test(text)) throw invalid(`${label} contains control characters.`, label);
      return raw.replace(/\r\n?/g, '\n').trim();
  }
}

/** The index key of a stored value (or of a search operand). */
export function indexKey(kind: Exclude<FieldType, 'alarm'>, value: Value | null | undefined): IndexKey {
  if (value === null || value === undefined) return { txt: null, full: null, num: kind === 'checkbox' ? 0 : null };
  if (indexColumn(kind) === 'num') return { txt: null, full: null, num: numberKey(value) };
  const folded = fold(String(value));
  const cut = [...folded];
  return cut.length > KEY_CHARS ? { txt: cut.slice(0, KEY_CHARS).join(''), full: folded, num: null } : { txt: folded, full: null, num: null };
}
