// vCalendar 1.0 / iCalendar 2.0 events ↔ calendar fields: the recorded items, times, all-day
// events, durations, rules and alarms in both versions, and round trips of hostile values.
import test from 'ava';
import fc from 'fast-check';
import { PimError } from '../../../transcode/pim/content-line.ts';
import { readEvent, writeEvent, type EventFields } from '../../../transcode/pim/event.ts';
import { rruleFrom10, rruleTo10 } from '../../../transcode/pim/rrule.ts';
import { parseVObject } from '../../../transcode/pim/vobject.ts';
import { convertsBothWays } from '../../support/pim.ts';
import { dataItems, wireItems } from '../../support/syncml-fixtures.ts';

const crlf = (s: string) => s.replace(/\r?\n/g, '\r\n');
const calendars = () => [...dataItems(), ...wireItems()].filter((i) => i.text.startsWith('BEGIN:VCALENDAR'));
const wrap = (version: string, lines: string[], top: string[] = []) => ['BEGIN:VCALENDAR', `VERSION:${version}`, ...top, 'BEGIN:VEVENT', ...lines, 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');

test('every event of the recorded sessions reads and comes back byte for byte when nothing changed', (t) => {
  const all = calendars();
  t.true(all.length >= 20, `only ${all.length} calendars found`);
  for (const { where, text } of all) {
    const { fields, version } = readEvent(text);
    t.truthy(fields.summary && fields.start && fields.end, where);
    t.is(writeEvent(fields, version, text), crlf(text), where);
  }
});

test('the vCalendar 1.0 item SyncEvolution sent and the 2.0 item it stored are the same event', (t) => {
  const v10 = wireItems().find((i) => i.where.startsWith('21-vcal10-slow') && i.type === 'text/x-vcalendar')!;
  const stored = dataItems().find((i) => i.where.startsWith('21-vcal10-slow/after-server') && i.text.includes('Client meeting'))!;
  const a = readEvent(v10.text, v10.type);
  const b = readEvent(stored.text);
  t.is(a.version, '1.0');
  t.is(b.version, '2.0');
  const same = (f: EventFields) => ({ summary: f.summary, start: f.start, end: f.end });
  t.deepEqual(same(v10.text.includes('Client meeting') ? a.fields : readEvent(wireItems().find((i) => i.type === 'text/x-vcalendar' && i.text.includes('Client meeting'))!.text).fields), same(b.fields));
  t.deepEqual(b.fields, { summary: 'Client meeting (longer)', uid: 'client-event-1@lab', start: '2025-01-10T10:00:00Z', end: '2025-01-10T12:00:00Z' });
});

test('1.0 ↔ 2.0 keeps every field; unmapped properties stay', (t) => {
  convertsBothWays(t, calendars(), {
    read: (text) => readEvent(text),
    write: writeEvent,
    other: (v) => (v === '1.0' ? '2.0' : '1.0'),
    names: (s) => parseVObject(s).root.components[0].properties.map((p) => p.name).sort(),
  });
});

test('all-day events: 2.0 VALUE=DATE with the exclusive end, 1.0 midnight to 23:59:59; read back inclusive', (t) => {
  const fields: EventFields = { summary: 'Holiday', start: '2025-08-01', end: '2025-08-03', allDay: true };
  const two = writeEvent(fields, '2.0');
  t.regex(two, /\r\nDTSTART;VALUE=DATE:20250801\r\nDTEND;VALUE=DATE:20250804\r\n/);
  t.regex(two, /\r\nPRODID:/);
  const one = writeEvent(fields, '1.0');
  t.regex(one, /\r\nDTSTART:20250801T000000\r\nDTEND:20250803T235959\r\n/);
  t.deepEqual(readEvent(two).fields, fields);
  t.deepEqual(readEvent(one).fields, fields);
  // What phones send for an all-day event in 1.0.
  for (const [start, end] of [['20250801', '20250801'], ['20250801T000000', '20250801T235900'], ['20250801T000000', '20250802T000000'], ['20250801T000000', '20250801T240000']]) {
    t.like(readEvent(wrap('1.0', [`DTSTART:${start}`, `DTEND:${end}`])).fields, { start: '2025-08-01', end: '2025-08-01', allDay: true }, `${start}–${end}`);
  }
  t.like(readEvent(wrap('2.0', ['DTSTART;VALUE=DATE:20250801'])).fields, { start: '2025-08-01', end: '2025-08-01', allDay: true });
  t.false('allDay' in readEvent(wrap('1.0', ['DTSTART:20250801T000000Z', 'DTEND:20250801T010000Z'])).fields);
});

test('a DURATION gives the end, and stays a DURATION when the times change', (t) => {
  const base = wrap('2.0', ['UID:d1', 'DTSTART;TZID=Europe/Berlin:20250301T090000', 'DURATION:PT1H30M', 'SUMMARY:Standup'], ['PRODID:-//x//y//EN']);
  const { fields } = readEvent(base);
  t.deepEqual(fields, { summary: 'Standup', uid: 'd1', start: '2025-03-01T09:00:00', end: '2025-03-01T10:30:00', timezone: 'Europe/Berlin' });
  const moved = writeEvent({ ...fields, end: '2025-03-01T11:00:00' }, '2.0', base);
  t.regex(moved, /\r\nDTSTART;TZID=Europe\/Berlin:20250301T090000\r\nDURATION:PT2H\r\n/);
  t.false(moved.includes('DTEND'));
  t.is(readEvent(moved).fields.end, '2025-03-01T11:00:00');
});

test('alarms: 2.0 VALARM trigger relative to the start, 1.0 AALARM/DALARM run time that moves with the start', (t) => {
  const fields: EventFields = { summary: 'Dentist', start: '2025-05-05T14:00:00Z', end: '2025-05-05T15:00:00Z', alarmMinutes: 30 };
  const two = writeEvent(fields, '2.0');
  t.regex(two, /BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:Dentist\r\nTRIGGER:-PT30M\r\nEND:VALARM\r\nEND:VEVENT/);
  const one = writeEvent(fields, '1.0');
  t.regex(one, /\r\nAALARM:20250505T133000Z\r\n/);
  t.deepEqual(readEvent(two).fields, fields);
  t.deepEqual(readEvent(one).fields, fields);
  // A Nokia-style pair of alarms both follow the start; the rest of each is kept.
  const nokia = wrap('1.0', ['SUMMARY:Dentist', 'DTSTART:20250505T140000Z', 'DTEND:20250505T150000Z', 'AALARM:20250505T133000Z;;0;', 'DALARM:20250505T133000Z;PT5M;2;Dentist']);
  t.is(readEvent(nokia).fields.alarmMinutes, 30);
  const later = writeEvent({ ...readEvent(nokia).fields, start: '2025-05-06T14:00:00Z', end: '2025-05-06T15:00:00Z' }, '1.0', nokia);
  t.regex(later, /\r\nAALARM:20250506T133000Z;;0;\r\nDALARM:20250506T133000Z;PT5M;2;Dentist\r\n/);
  // Cleared: the alarms go, nothing else does.
  const none = writeEvent({ ...fields, alarmMinutes: undefined }, '2.0', two);
  t.false(none.includes('VALARM'));
  t.is(readEvent(none).fields.summary, 'Dentist');
  // An absolute 2.0 trigger, and one relative to the end (not the field's meaning, so kept as it is).
  t.is(readEvent(wrap('2.0', ['DTSTART:20250505T140000Z', 'BEGIN:VALARM', 'TRIGGER;VALUE=DATE-TIME:20250505T134500Z', 'END:VALARM'])).fields.alarmMinutes, 15);
  const endAlarm = wrap('2.0', ['DTSTART:20250505T140000Z', 'BEGIN:VALARM', 'ACTION:AUDIO', 'TRIGGER;RELATED=END:PT0M', 'END:VALARM']);
  t.false('alarmMinutes' in readEvent(endAlarm).fields);
  t.true(writeEvent({ ...readEvent(endAlarm).fields, alarmMinutes: 10 }, '2.0', endAlarm).includes('TRIGGER;RELATED=END:PT0M'));
});

test('recurrence rules between the 1.0 and 2.0 grammars', (t) => {
  const pairs: Array<[string, string]> = [
    ['D1 #10', 'FREQ=DAILY;INTERVAL=1;COUNT=10'],
    ['W2 MO TH #0', 'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH'],
    ['MD1 1 15 LD #6', 'FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=1,15,-1;COUNT=6'],
    ['MP1 1+ MO 1- FR 20251231T000000Z', 'FREQ=MONTHLY;INTERVAL=1;BYDAY=1MO,-1FR;UNTIL=20251231T000000Z'],
    ['YM1 6 12 #0', 'FREQ=YEARLY;INTERVAL=1;BYMONTH=6,12'],
    ['YD1 100 #3', 'FREQ=YEARLY;INTERVAL=1;BYYEARDAY=100;COUNT=3'],
  ];
  for (const [one, two] of pairs) {
    t.is(rruleFrom10(one), two, one);
    t.is(rruleTo10(two), one.replace(' LD', ' LD'), two);
  }
  t.is(rruleFrom10('W1 MO'), 'FREQ=WEEKLY;INTERVAL=1;BYDAY=MO;COUNT=2', '1.0 repeats twice when the rule names no end');
  t.is(rruleFrom10('W1 MO TU #4 D1'), undefined);
  t.is(rruleFrom10('nonsense'), undefined);
  t.is(rruleTo10('FREQ=WEEKLY;BYDAY=MO;BYHOUR=9'), undefined);
  t.is(rruleTo10('FREQ=HOURLY'), undefined);
  // In an event: a 1.0 rule is read in the 2.0 form; one 1.0 cannot say keeps the base's rule.
  const base = wrap('1.0', ['SUMMARY:Gym', 'DTSTART:20250106T180000', 'DTEND:20250106T190000', 'RRULE:W1 MO WE #0']);
  t.is(readEvent(base).fields.rrule, 'FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,WE');
  const two = writeEvent(readEvent(base).fields, '2.0', base);
  t.regex(two, /\r\nRRULE:FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,WE\r\n/);
  t.regex(writeEvent({ ...readEvent(base).fields, rrule: 'FREQ=WEEKLY;BYDAY=MO;BYHOUR=9' }, '1.0', base), /\r\nRRULE:W1 MO WE #0\r\n/);
});

test('not an event: a clear error, never a partial one', (t) => {
  const bad: Array<[string, RegExp]> = [
    ['BEGIN:VCARD\r\nVERSION:3.0\r\nEND:VCARD', /a vCalendar was expected/],
    ['BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VTODO\r\nEND:VTODO\r\nEND:VCALENDAR', /no VEVENT/],
    ['BEGIN:VCALENDAR\r\nVERSION:3.0\r\nBEGIN:VEVENT\r\nEND:VEVENT\r\nEND:VCALENDAR', /version "3.0"/],
    ['BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:x\r\nEND:VCALENDAR', /END:VCALENDAR closes BEGIN:VEVENT/],
  ];
  for (const [text, message] of bad) t.throws(() => readEvent(text), { instanceOf: PimError, message });
  t.throws(() => writeEvent({ start: '10/01/2025' }, '2.0'), { instanceOf: PimError, message: /start "10\/01\/2025"/ });
  t.throws(() => writeEvent({ start: '2025-01-01T10:00:00Z', alarmMinutes: 1.5 }, '2.0'), { instanceOf: PimError, message: /whole number of minutes/ });
  // A start that is not a date is not read as one: the property stays, the field is empty.
  t.false('start' in readEvent(wrap('2.0', ['DTSTART:tomorrow', 'SUMMARY:x'])).fields);
});

const hostile = fc.string({ unit: fc.oneof(fc.constantFrom(';', ',', '\\', ':', '=', '\n', ' ', 'é', '日', '😀', 'END:VEVENT', 'BEGIN:VALARM'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 40 }).map((s) =>
  s.replace(/[\u0000-\u0008\u000b-\u001f\u007f\r]/g, ''),
);
const instant = fc.date({ min: new Date('1990-01-01'), max: new Date('2060-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 19));
const eventFields = fc
  .record({
    summary: hostile,
    description: hostile,
    location: hostile,
    uid: hostile,
    start: instant,
    hours: fc.integer({ min: 0, max: 24 * 40 }),
    utc: fc.boolean(),
    allDay: fc.boolean(),
    alarmMinutes: fc.option(fc.integer({ min: -1440, max: 10080 }), { nil: undefined }),
    rrule: fc.option(fc.constantFrom('FREQ=DAILY;INTERVAL=1;COUNT=5', 'FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,FR', 'FREQ=MONTHLY;INTERVAL=1;BYMONTHDAY=-1', 'FREQ=YEARLY;INTERVAL=1;BYMONTH=3;UNTIL=20300101T000000Z'), { nil: undefined }),
  })
  .map(({ start, hours, utc, allDay, ...rest }): EventFields => {
    const end = new Date(Date.parse(start + 'Z') + hours * 3600_000).toISOString().slice(0, 19);
    const fields: EventFields = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== '' && v !== undefined));
    if (allDay) return { ...fields, start: start.slice(0, 10), end: end.slice(0, 10), allDay: true };
    return { ...fields, start: start + (utc ? 'Z' : ''), end: end + (utc ? 'Z' : '') };
  });

test('any event fields, written in either version and read back, are the same fields', (t) => {
  fc.assert(
    fc.property(eventFields, fc.constantFrom('1.0' as const, '2.0' as const), (fields, version) => {
      // 1.0 has no date-only values: a timed event from midnight over whole days IS its all-day event.
      const wholeDays = !fields.allDay && fields.start!.includes('T00:00:00') && fields.end!.slice(10) === fields.start!.slice(10) && fields.end !== fields.start;
      fc.pre(!(version === '1.0' && wholeDays));
      const text = writeEvent(fields, version);
      t.deepEqual(readEvent(text).fields, fields, text);
      t.is(writeEvent(fields, version, text), text, 'writing the same fields again changes nothing');
    }),
    { numRuns: 300 },
  );
  t.pass();
});
