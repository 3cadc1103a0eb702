// iCalendar (RFC 5545): the planner's events as one text/calendar document. Lines end in CRLF and
// are folded at 75 octets; text values escape backslash, semicolon, comma and newline: the content
// lines of pim/ (the 3.0 syntax of vCard is iCalendar's), so both writers fold and escape alike.
import { fold, joinValue } from './pim/content-line.ts';

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

const escapeText = (s: string) => joinValue([[s.replace(/\r\n/g, '\n')]], '3.0');

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
  return lines.map(fold).join('\r\n') + '\r\n';
}
