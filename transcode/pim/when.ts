// Dates, times and durations as vCalendar 1.0 and iCalendar 2.0 write them, and the neutral
// form the Calendar fields hold.
//
// Interface:
//   type When = { date: 'YYYY-MM-DD', time?: 'HH:MM:SS', utc: boolean }
//   readWhen(text) → When | undefined        20250110, 20250110T100000, 20250110T100000Z (and
//                                            the extended forms 2025-01-10T10:00:00Z)
//   writeWhen(w) → string                    basic form: 20250110 / 20250110T100000[Z]
//   whenToField(w) / fieldToWhen(s)          'YYYY-MM-DD' | 'YYYY-MM-DDTHH:MM:SS' | '…Z'
//   addSeconds(w, s) / secondsBetween(a, b)  nominal arithmetic (a day is 86400 s)
//   readDuration(text) → seconds | undefined  RFC 5545 §3.3.6: [+-]P[nW][nD][T[nH][nM][nS]]
//   writeDuration(seconds) → string

export interface When {
  date: string;
  time?: string;
  utc: boolean;
}

const BASIC = /^(\d{4})-?(\d{2})-?(\d{2})(?:T(\d{2}):?(\d{2}):?(\d{2})?(Z)?)?$/;

export function readWhen(text: string): When | undefined {
  const m = BASIC.exec(text.trim());
  if (!m) return undefined;
  const w: When = { date: `${m[1]}-${m[2]}-${m[3]}`, utc: m[7] === 'Z' };
  if (m[4] !== undefined) w.time = `${m[4]}:${m[5]}:${m[6] ?? '00'}`;
  const [y, mo, d] = [+m[1], +m[2], +m[3]];
  const check = new Date(Date.UTC(y, mo - 1, d));
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d) return undefined;
  // 24:00:00 ends a day in some vCalendar 1.0 writers; anything else past the day is not a time.
  if (w.time && (+m[4] > 24 || +m[5] > 59 || +(m[6] ?? 0) > 60 || (+m[4] === 24 && w.time !== '24:00:00'))) return undefined;
  return w;
}

export function writeWhen(w: When): string {
  const date = w.date.replace(/-/g, '');
  return w.time === undefined ? date : `${date}T${w.time.replace(/:/g, '')}${w.utc ? 'Z' : ''}`;
}

export function whenToField(w: When): string {
  return w.time === undefined ? w.date : `${w.date}T${w.time}${w.utc ? 'Z' : ''}`;
}

export function fieldToWhen(s: string): When | undefined {
  return /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}:\d{2}Z?)?$/.test(s) ? readWhen(s) : undefined;
}

function epoch(w: When): number {
  const [y, mo, d] = w.date.split('-').map(Number);
  const [h, mi, s] = (w.time ?? '00:00:00').split(':').map(Number);
  return Date.UTC(y, mo - 1, d, h, mi, s) / 1000;
}

export function addSeconds(w: When, seconds: number): When {
  const t = new Date((epoch(w) + seconds) * 1000).toISOString();
  const out: When = { date: t.slice(0, 10), utc: w.utc };
  if (w.time !== undefined) out.time = t.slice(11, 19);
  return out;
}

export function secondsBetween(a: When, b: When): number {
  return epoch(b) - epoch(a);
}

const DURATION = /^([+-])?P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/;

export function readDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m || text.trim().endsWith('P') || text.trim().endsWith('T')) return undefined;
  const [w, d, h, mi, s] = [m[2], m[3], m[4], m[5], m[6]].map((x) => Number(x ?? 0));
  const total = (((w * 7 + d) * 24 + h) * 60 + mi) * 60 + s;
  return m[1] === '-' ? -total : total;
}

/** A UTC instant as iCalendar and SyncML anchors write it: 20261130T132000Z. */
export function utcStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export function writeDuration(seconds: number): string {
  const sign = seconds < 0 ? '-' : '';
  let s = Math.abs(seconds);
  if (s === 0) return 'PT0S';
  if (s % 86400 === 0) return `${sign}P${s / 86400}D`;
  const d = Math.floor(s / 86400);
  s -= d * 86400;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return `${sign}P${d ? `${d}D` : ''}T${h ? `${h}H` : ''}${m ? `${m}M` : ''}${sec ? `${sec}S` : ''}`;
}
