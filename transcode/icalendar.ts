// iCalendar (RFC 5545): events as a text/calendar document. Lines end in CRLF and are folded at
// 75 octets (a continuation starts with a space, never inside a UTF-8 sequence); text values
// escape backslash, semicolon, comma and newline.

export interface CalendarEvent {
  uid: string;
  /** UTC milliseconds. */
  start: number;
  /** Minutes. */
  duration: number;
  summary: string;
  category?: string;
  /** A reminder this many minutes before the start (a VALARM that displays the summary). */
  alarmBefore?: number;
  /** When it was last changed (DTSTAMP), UTC milliseconds. */
  stamp: number;
}

const escapeText = (s: string) => s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');

/** 20261130T132000Z */
const utc = (ms: number) => new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');

/** RFC 5545 §3.3.6: P1DT2H30M, PT0S for none. */
function duration(minutes: number): string {
  const d = Math.floor(minutes / 1440);
  const h = Math.floor((minutes % 1440) / 60);
  const m = minutes % 60;
  const time = h || m ? `T${h ? `${h}H` : ''}${m ? `${m}M` : ''}` : '';
  return d || time ? `P${d ? `${d}D` : ''}${time}` : 'PT0S';
}

/** RFC 5545 §3.1: lines of at most 75 octets, continued on lines that start with a space. */
export function foldLine(line: string): string {
  const pieces: string[] = [];
  let piece = '';
  let octets = 0;
  for (const c of line) {
    const n = Buffer.byteLength(c);
    if (octets + n > (pieces.length ? 74 : 75)) {
      pieces.push(piece);
      piece = '';
      octets = 0;
    }
    piece += c;
    octets += n;
  }
  pieces.push(piece);
  return pieces.join('\r\n ');
}

export function toICalendar(events: readonly CalendarEvent[], prodId: string): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', `PRODID:${prodId}`, 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH'];
  for (const e of events) {
    lines.push('BEGIN:VEVENT', `UID:${e.uid}`, `DTSTAMP:${utc(e.stamp)}`, `DTSTART:${utc(e.start)}`, `DURATION:${duration(e.duration)}`, `SUMMARY:${escapeText(e.summary)}`);
    if (e.category) lines.push(`CATEGORIES:${escapeText(e.category.toUpperCase())}`);
    if (e.alarmBefore !== undefined) {
      lines.push('BEGIN:VALARM', 'ACTION:DISPLAY', `DESCRIPTION:${escapeText(e.summary)}`, `TRIGGER:-${duration(e.alarmBefore)}`, 'END:VALARM');
    }
    lines.push('END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return lines.map(foldLine).join('\r\n') + '\r\n';
}
