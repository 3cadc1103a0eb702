// How core data reads on a small screen: values as text, a record's one-line label, labels of comparisons.
import type { Comparison, Field, FieldType, Value } from '../core/cell/fields.ts';
import type { StoredRecord } from '../core/cell/records.ts';

/** Plain-ASCII labels: they read the same on a 7110, an i-mode handset and lynx. */
export const COMPARISON_LABELS: Record<Comparison, string> = {
  eq: '=',
  ne: 'not =',
  lt: '<',
  le: '<=',
  gt: '>',
  ge: '>=',
  contains: 'contains',
  starts: 'starts with',
  empty: 'is empty',
  notempty: 'is not empty',
};

export const TYPE_LABELS: Record<FieldType, string> = {
  text: 'Text',
  number: 'Number',
  date: 'Date',
  checkbox: 'Yes/no',
  choice: 'Choice',
  alarm: 'Alarm',
};

const LABEL_CHARS = 40;

export function formatValue(field: Field, value: Value | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  const alarm = field.options.alarm;
  if (alarm?.watch) return `${alarm.watch} ${COMPARISON_LABELS[alarm.op]} ${value}`;
  return String(value);
}

/** A record in one line: its first two non-empty values. */
export function recordLabel(fields: readonly Field[], record: StoredRecord): string {
  const parts = fields
    .map((f) => formatValue(f, record.values[f.id]))
    .filter(Boolean)
    .slice(0, 2);
  const label = parts.join(', ').replace(/\s+/g, ' ') || `#${record.id}`;
  return label.length > LABEL_CHARS ? label.slice(0, LABEL_CHARS - 1) + '…' : label;
}

const EVENT_WORDS = { login: 'show at login', email: 'email', sms: 'SMS' } as const;

/** An alarm field's setting in a few words: "Bottles < limit, SMS", "the date, show at login". */
export function alarmSummary(field: Field): string {
  const spec = field.options.alarm;
  if (!spec) return '';
  return `${spec.watch ? `${spec.watch} ${COMPARISON_LABELS[spec.op]} limit` : `the date ${COMPARISON_LABELS[spec.op]} limit`}, ${EVENT_WORDS[spec.event]}`;
}
