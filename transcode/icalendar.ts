// iCalendar (RFC 5545): the planner's events as one text/calendar document. Lines end in CRLF and
// are folded at 75 octets; text values escape backslash, semicolon, comma and newline: the content
// lines of pim/ (the 3.0 syntax of vCard is iCalendar's), so both writers fold and escape alike.
import { fold, joinValue } from './pim/content-line.ts';
import { utcStamp, writeDuration } from './pim/when.ts';

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

export function toICalendar(events: readonly CalendarEvent[], prodId: string): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', `PRODID:${prodId}`, 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH'];
  for (const e of events) {
    lines.push('BEGIN:VEVENT', `UID:${e.uid}`, `DTSTAMP:${utcStamp(e.stamp)}`, `DTSTART:${utcStamp(e.start)}`, `DURATION:${writeDuration(e.duration * 60)}`, `SUMMARY:${escapeText(e.summary)}`);
    if (e.category) lines.push(`CATEGORIES:${escapeText(e.category.toUpperCase())}`);
    if (e.alarmBefore !== undefined) {
      lines.push('BEGIN:VALARM', 'ACTION:DISPLAY', `DESCRIPTION:${escapeText(e.summary)}`, `TRIGGER:${writeDuration(-e.alarmBefore * 60)}`, 'END:VALARM');
    }
    lines.push('END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return lines.map(fold).join('\r\n') + '\r\n';
}
