// Recurrence rules between vCalendar 1.0 (vCal 1.0 §3.7.4 grammar: "W1 MO TH #10") and
// iCalendar 2.0 (RFC 5545 §3.3.10: "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,TH;COUNT=10").
//
// Interface:
//   rruleFrom10(rule) → string | undefined   the 2.0 form, or undefined for what it cannot say
//                                            (nested rules, weekday lists with occurrence counts…)
//   rruleTo10(rule) → string | undefined     the 1.0 form of the rules 1.0 can say
// Both handle: D, W with weekdays, MD with days of the month (LD as -1), MP with "1+ MO" /
// "1- FR", YM with months, YD with days of the year; #n (count; #0 forever; none means #2 in
// 1.0) or an end date (UNTIL).

const DAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];
const FREQ10: Record<string, { freq: string; by?: string }> = {
  D: { freq: 'DAILY' },
  W: { freq: 'WEEKLY', by: 'BYDAY' },
  MP: { freq: 'MONTHLY', by: 'BYDAY' },
  MD: { freq: 'MONTHLY', by: 'BYMONTHDAY' },
  YM: { freq: 'YEARLY', by: 'BYMONTH' },
  YD: { freq: 'YEARLY', by: 'BYYEARDAY' },
};

/** A 1.0 modifier → the 2.0 list item: "1+ MO" pairs become "1MO", "2-" "-2", LD "-1". */
function modifiers10(kind: string, words: string[]): string[] | undefined {
  const out: string[] = [];
  let occurrence: string | undefined;
  for (const w of words) {
    const n = /^(\d+)([+-])?$/.exec(w);
    if (kind === 'MP' && n) {
      occurrence = `${n[2] === '-' ? '-' : ''}${n[1]}`;
    } else if ((kind === 'W' || kind === 'MP') && DAYS.includes(w)) {
      if (kind === 'MP' && occurrence === undefined) return undefined;
      out.push(`${occurrence ?? ''}${w}`);
    } else if (kind !== 'W' && kind !== 'MP' && n) {
      out.push(`${n[2] === '-' ? '-' : ''}${n[1]}`);
    } else if (kind === 'MD' && w === 'LD') {
      out.push('-1');
    } else return undefined;
  }
  return out;
}

export function rruleFrom10(rule: string): string | undefined {
  const words = rule.trim().toUpperCase().split(/\s+/);
  const head = /^(D|W|MP|MD|YM|YD)(\d+)$/.exec(words[0] ?? '');
  if (!head) return undefined;
  const { freq, by } = FREQ10[head[1]];
  let end = words.slice(1).find((w) => /^#\d+$/.test(w) || /^\d{8}T\d{6}Z?$/.test(w));
  const middle = words.slice(1).filter((w) => w !== end);
  if (!by && middle.length) return undefined;
  const list = by ? modifiers10(head[1], middle) : [];
  if (!list) return undefined;
  end ??= '#2';
  const parts = [`FREQ=${freq}`, `INTERVAL=${Number(head[2])}`];
  if (by && list.length) parts.push(`${by}=${list.join(',')}`);
  if (end.startsWith('#')) {
    if (end !== '#0') parts.push(`COUNT=${Number(end.slice(1))}`);
  } else parts.push(`UNTIL=${end}`);
  return parts.join(';');
}

export function rruleTo10(rule: string): string | undefined {
  const parts = new Map<string, string>();
  for (const p of rule.trim().toUpperCase().split(';')) {
    const eq = p.indexOf('=');
    if (eq < 0) return undefined;
    parts.set(p.slice(0, eq), p.slice(eq + 1));
  }
  const freq = parts.get('FREQ');
  const byNames = ['BYDAY', 'BYMONTHDAY', 'BYMONTH', 'BYYEARDAY'].filter((b) => parts.has(b));
  const known = new Set(['FREQ', 'INTERVAL', 'COUNT', 'UNTIL', 'WKST', ...byNames]);
  if ([...parts.keys()].some((k) => !known.has(k)) || byNames.length > 1) return undefined;
  const by = byNames[0];
  const values = by ? parts.get(by)!.split(',') : [];
  let kind: string | undefined;
  let modifiers: string[] = [];
  const number = (v: string) => (/^-\d+$/.test(v) ? `${v.slice(1)}-` : /^\+?\d+$/.test(v) ? v.replace('+', '') : undefined);
  if (freq === 'DAILY' && !by) kind = 'D';
  else if (freq === 'WEEKLY' && (!by || by === 'BYDAY') && values.every((v) => DAYS.includes(v))) [kind, modifiers] = ['W', values];
  else if (freq === 'MONTHLY' && by === 'BYDAY') {
    kind = 'MP';
    for (const v of values) {
      const m = /^([+-]?)(\d)(SU|MO|TU|WE|TH|FR|SA)$/.exec(v);
      if (!m) return undefined;
      modifiers.push(`${m[2]}${m[1] === '-' ? '-' : '+'}`, m[3]);
    }
  } else if (freq === 'MONTHLY' && (!by || by === 'BYMONTHDAY')) [kind, modifiers] = ['MD', values.map((v) => (v === '-1' ? 'LD' : number(v)!))];
  else if (freq === 'YEARLY' && (!by || by === 'BYMONTH')) [kind, modifiers] = ['YM', values.map((v) => number(v)!)];
  else if (freq === 'YEARLY' && by === 'BYYEARDAY') [kind, modifiers] = ['YD', values.map((v) => number(v)!)];
  if (!kind || modifiers.some((m) => m === undefined)) return undefined;
  const interval = parts.get('INTERVAL') ?? '1';
  if (!/^\d+$/.test(interval)) return undefined;
  const until = parts.get('UNTIL');
  const count = parts.get('COUNT');
  const end = until ? (/^\d{8}T\d{6}Z?$/.test(until) ? until : /^\d{8}$/.test(until) ? `${until}T235959` : undefined) : `#${count ?? 0}`;
  if (!end || (count !== undefined && !/^\d+$/.test(count))) return undefined;
  return [`${kind}${Number(interval)}`, ...modifiers, end].join(' ');
}
