import test from 'ava';
import { toICalendar } from '../../transcode/icalendar.ts';

const STAMP = Date.parse('2026-11-30T13:20:00Z');

test('an event becomes a VEVENT with UTC times, a duration and escaped text', (t) => {
  const ics = toICalendar([{ uid: '1.c1@x', start: Date.parse('2026-12-01T10:00:00Z'), duration: 1530, summary: 'a\\b;c,d\ne', category: 'meeting', alarmBefore: 90, stamp: STAMP }], '-//t//t//EN');
  t.is(
    ics,
    [
      'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//t//t//EN', 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH',
      'BEGIN:VEVENT', 'UID:1.c1@x', 'DTSTAMP:20261130T132000Z', 'DTSTART:20261201T100000Z', 'DURATION:P1DT1H30M', 'SUMMARY:a\\\\b\\;c\\,d\\ne', 'CATEGORIES:MEETING',
      'BEGIN:VALARM', 'ACTION:DISPLAY', 'DESCRIPTION:a\\\\b\\;c\\,d\\ne', 'TRIGGER:-PT1H30M', 'END:VALARM',
      'END:VEVENT', 'END:VCALENDAR', '',
    ].join('\r\n'),
  );
});

test('long lines fold at 75 octets without splitting a UTF-8 character, and unfold to the original', (t) => {
  const summary = '日本語のワイン会 '.repeat(20);
  const ics = toICalendar([{ uid: 'u', start: 0, duration: 0, summary, stamp: 0 }], 'p');
  const lines = ics.split('\r\n');
  t.true(lines.every((l) => Buffer.byteLength(l) <= 75));
  t.true(ics.replace(/\r\n /g, '').includes(`\r\nSUMMARY:${summary}\r\n`));
});

test('an empty planner is an empty calendar; a zero duration is PT0S', (t) => {
  t.is(toICalendar([], 'p'), 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:p\r\nCALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\nEND:VCALENDAR\r\n');
  t.regex(toICalendar([{ uid: 'u', start: 0, duration: 0, summary: 's', stamp: 0 }], 'p'), /DURATION:PT0S\r\n/);
});
