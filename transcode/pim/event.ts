// vCalendar 1.0 / iCalendar 2.0 events (VEVENT) ↔ the fixed fields of a Calendar record.
//
// Interface:
//   interface EventFields { summary, description, location, uid, start, end, allDay, timezone,
//                           rrule, alarmMinutes }
//     start/end: 'YYYY-MM-DD' when allDay (end = the last day, inclusive), else
//                'YYYY-MM-DDTHH:MM:SS' (floating, or in `timezone`, the TZID) or '…Z' (UTC).
//                A DURATION instead of DTEND is read as the end it gives.
//     rrule:     the iCalendar 2.0 form (FREQ=…); a 1.0 rule is converted where 2.0 can say it.
//     alarmMinutes: minutes before the start of the first alarm (VALARM TRIGGER, or 1.0's
//                AALARM/DALARM run time).
//   type VCalendarVersion = '1.0' | '2.0'
//   readEvent(text, mime?) → { fields, version }   mime: text/x-vcalendar → 1.0, text/calendar → 2.0
//   writeEvent(fields, version, base?, options?) → string
//                  as for contacts: with `base` (the object as last received) everything no
//                  field maps is kept, unchanged properties come back as read. A rule 1.0 cannot
//                  say is left out of a 1.0 object (the base's own rule, if any, stays).
// All-day events in 1.0 (which has no date-only values) are written T000000–T235959 and read
// from date-only values or from that span (also …T240000 or next day's T000000).
import { PimError, type Param, type Property, type Syntax } from './content-line.ts';
import { rruleFrom10, rruleTo10 } from './rrule.ts';
import { readSlots, writeSlots, type Slot } from './slots.ts';
import { addSeconds, readDuration, readWhen, secondsBetween, whenToField, fieldToWhen, writeDuration, writeWhen, type When } from './when.ts';
import { parseVObject, syntaxOfVersion, textOf, textProperty, writeVObject, type Component } from './vobject.ts';

export interface EventFields {
  summary?: string;
  description?: string;
  location?: string;
  uid?: string;
  start?: string;
  end?: string;
  allDay?: boolean;
  timezone?: string;
  rrule?: string;
  alarmMinutes?: number;
}
export type VCalendarVersion = '1.0' | '2.0';

type TextField = 'summary' | 'description' | 'location' | 'uid';
const TEXT_SLOTS: ReadonlyArray<Slot<TextField>> = [
  { field: 'summary', family: { name: 'SUMMARY' } },
  { field: 'description', family: { name: 'DESCRIPTION' } },
  { field: 'location', family: { name: 'LOCATION' } },
  { field: 'uid', family: { name: 'UID' } },
];

const MIME_VERSIONS: Record<string, VCalendarVersion> = { 'text/x-vcalendar': '1.0', 'text/calendar': '2.0' };
const PRODID = '-//lowband-gateway//NONSGML SyncML formats//EN';
const DAY = 86400;

const first = (c: Component, name: string) => c.properties.find((p) => p.name === name);
const param = (p: Property | undefined, name: string) => p?.params.find((x) => x.name === name)?.values[0];

function parseCalendar(text: string, mime?: string): { calendar: Component; event: Component; version: VCalendarVersion } {
  const hint = mime ? MIME_VERSIONS[mime.toLowerCase()] : undefined;
  const { root } = parseVObject(text, hint === '2.0' ? '3.0' : hint && '2.1');
  if (root.name !== 'VCALENDAR') throw new PimError(`a vCalendar was expected, not ${root.name}`);
  const v = first(root, 'VERSION')?.value[0]?.[0]?.trim();
  if (v !== undefined && v !== '1.0' && v !== '2.0') throw new PimError(`vCalendar version "${v}" is not 1.0 or 2.0`);
  const event = root.components.find((c) => c.name === 'VEVENT');
  if (!event) throw new PimError('the vCalendar holds no VEVENT');
  return { calendar: root, event, version: v ?? hint ?? '1.0' };
}

/** A property's value as a When; a 2.0 VALUE=DATE value is a date whatever it looks like. */
function whenOf(p: Property | undefined): When | undefined {
  if (!p || p.binary) return undefined;
  const w = readWhen(textOf(p));
  if (w && param(p, 'VALUE')?.toUpperCase() === 'DATE') delete w.time;
  return w;
}

/** 1.0 all day: a date, or midnight to the end of the day (23:59:00, 23:59:59, 24:00:00, or next midnight). */
function allDay10(start: When, end: When | undefined): boolean {
  if (start.time === undefined) return true;
  if (start.time !== '00:00:00' || !end?.time || end.utc !== start.utc) return false;
  const span = secondsBetween(start, end);
  return span > 0 && [0, DAY - 60, DAY - 1].includes(span % DAY);
}

interface Times {
  start?: When;
  end?: When;
  allDay: boolean;
}

function readTimes(event: Component, version: VCalendarVersion): Times {
  const start = whenOf(first(event, 'DTSTART'));
  let end = whenOf(first(event, 'DTEND'));
  const duration = first(event, 'DURATION');
  if (!end && start && duration) {
    const s = readDuration(textOf(duration));
    if (s !== undefined) end = addSeconds(start, s);
  }
  if (!start) return { end, allDay: false };
  const allDay = version === '2.0' ? start.time === undefined : allDay10(start, end);
  if (!allDay) return { start, end, allDay };
  const day = (w: When) => ({ date: w.date, utc: false });
  // Stored inclusive: 2.0's DTEND is the day after, 1.0's the end of the last day (or the next midnight).
  let last = end && (end.time === undefined || end.time === '00:00:00' || end.time === '24:00:00') ? addSeconds(day(end), end.time === '24:00:00' ? 0 : -DAY) : end && day(end);
  if (!last || last.date < start.date) last = day(start);
  return { start: day(start), end: last, allDay };
}

function readAlarm(event: Component, start: When | undefined, version: VCalendarVersion): number | undefined {
  if (version === '1.0') {
    const alarm = event.properties.find((p) => p.name === 'AALARM' || p.name === 'DALARM');
    const at = alarm && readWhen(alarm.value[0]?.[0] ?? '');
    return at && start && at.time !== undefined ? Math.round(secondsBetween(at, start.time ? start : { ...start, time: '00:00:00' }) / 60) : undefined;
  }
  for (const alarm of event.components.filter((c) => c.name === 'VALARM')) {
    const trigger = first(alarm, 'TRIGGER');
    if (!trigger || param(trigger, 'RELATED')?.toUpperCase() === 'END') continue;
    const text = textOf(trigger);
    const relative = readDuration(text);
    if (relative !== undefined) return Math.round(-relative / 60) + 0; // + 0: never -0
    const at = readWhen(text);
    if (at && start) return Math.round(secondsBetween(at, start.time ? start : { ...start, time: '00:00:00' }) / 60);
  }
  return undefined;
}

export function readEvent(text: string, mime?: string): { fields: EventFields; version: VCalendarVersion } {
  const { event, version } = parseCalendar(text, mime);
  const fields: EventFields = readSlots(TEXT_SLOTS, event.properties);
  const times = readTimes(event, version);
  if (times.start) fields.start = whenToField(times.start);
  if (times.end) fields.end = whenToField(times.end);
  if (times.allDay) fields.allDay = true;
  const tz = param(first(event, 'DTSTART'), 'TZID');
  if (tz && !times.allDay) fields.timezone = tz;
  const rule = first(event, 'RRULE');
  const rrule = rule && (version === '2.0' ? textOf(rule) : rruleFrom10(textOf(rule)));
  if (rrule) fields.rrule = rrule;
  const alarm = readAlarm(event, times.start, version);
  if (alarm !== undefined) fields.alarmMinutes = alarm;
  return { fields, version };
}

/* ---------------------------------------------------------------- writing --------------- */

/** The properties with the first `name` replaced by `p` (or removed when p is undefined), in its place. */
function put(properties: Property[], name: string, p: Property | undefined): Property[] {
  const at = properties.findIndex((x) => x.name === name);
  if (at < 0) return p ? [...properties, p] : properties;
  return p ? properties.with(at, p) : properties.filter((_, i) => i !== at);
}

/** A date-time property, keeping the parameters of the one it replaces but VALUE and TZID. */
function whenProperty(name: string, w: When, old: Property | undefined, version: VCalendarVersion, tz: string | undefined): Property {
  const params: Param[] = (old?.params ?? []).filter((x) => x.name !== 'VALUE' && x.name !== 'TZID');
  if (version === '2.0' && w.time === undefined) params.push({ name: 'VALUE', values: ['DATE'] });
  if (version === '2.0' && tz && w.time !== undefined && !w.utc) params.push({ name: 'TZID', values: [tz] });
  return { name, params, value: [[writeWhen(w)]] };
}

function writeTimes(event: Component, fields: EventFields, version: VCalendarVersion): Property[] {
  const before = readTimes(event, version);
  const tzBefore = param(first(event, 'DTSTART'), 'TZID');
  const start = fields.start ? fieldToWhen(fields.start) : undefined;
  const end = fields.end ? fieldToWhen(fields.end) : undefined;
  if (fields.start && !start) throw new PimError(`start "${fields.start}" is not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS[Z]`);
  if (fields.end && !end) throw new PimError(`end "${fields.end}" is not YYYY-MM-DD or YYYY-MM-DDTHH:MM:SS[Z]`);
  const allDay = !!fields.allDay;
  const same = (a?: When, b?: When) => (a && whenToField(a)) === (b && whenToField(b));
  if (same(start, before.start) && same(end, before.end) && allDay === before.allDay && (fields.timezone ?? undefined) === (allDay ? undefined : tzBefore)) {
    return event.properties;
  }
  let properties = event.properties;
  const day = (w: When, time: string): When => ({ date: w.date, time, utc: false });
  let dtstart: When | undefined = start;
  let dtend: When | undefined = end;
  if (allDay && start) {
    const last = end ?? start;
    [dtstart, dtend] = version === '2.0' ? [{ date: start.date, utc: false }, addSeconds({ date: last.date, utc: false }, DAY)] : [day(start, '00:00:00'), day(last, '23:59:59')];
  }
  const tz = allDay ? undefined : fields.timezone;
  properties = put(properties, 'DTSTART', dtstart && whenProperty('DTSTART', dtstart, first(event, 'DTSTART'), version, tz));
  const keepDuration = version === '2.0' && !first(event, 'DTEND') && first(event, 'DURATION');
  if (keepDuration && dtstart && dtend) {
    properties = put(properties, 'DURATION', textProperty('DURATION', writeDuration(secondsBetween(dtstart, dtend))));
  } else {
    properties = put(properties, 'DURATION', undefined);
    properties = put(properties, 'DTEND', dtend && whenProperty('DTEND', dtend, first(event, 'DTEND'), version, tz));
  }
  return properties;
}

function writeRule(properties: Property[], event: Component, fields: EventFields, version: VCalendarVersion): Property[] {
  const old = first(event, 'RRULE');
  const before = old && (version === '2.0' ? textOf(old) : rruleFrom10(textOf(old)));
  if ((fields.rrule ?? '') === (before ?? '')) return properties;
  if (!fields.rrule) return put(properties, 'RRULE', undefined);
  const text = version === '2.0' ? fields.rrule : rruleTo10(fields.rrule);
  if (text === undefined) return properties;
  // Split into components so that the 2.0 ";" separators are not escaped.
  return put(properties, 'RRULE', { name: 'RRULE', params: [], value: text.split(';').map((part) => part.split(',')) });
}

function alarmAt(start: When, minutes: number): When {
  return addSeconds(start.time === undefined ? { ...start, time: '00:00:00' } : start, -minutes * 60);
}

function writeAlarm(event: Component, properties: Property[], fields: EventFields, version: VCalendarVersion): Component {
  const startBefore = readTimes(event, version).start;
  const minutes = fields.alarmMinutes;
  const start = fields.start ? fieldToWhen(fields.start) : undefined;
  // A 1.0 alarm is a time of day, so it moves with the start; a 2.0 trigger is relative to it.
  if (minutes === readAlarm(event, startBefore, version) && (startBefore && whenToField(startBefore)) === fields.start) return { ...event, properties };
  if (minutes !== undefined && (!Number.isInteger(minutes) || Math.abs(minutes) > 525600)) throw new PimError(`alarm of ${minutes} minutes: a whole number of minutes up to a year is expected`);
  if (version === '1.0') {
    const kept = properties.filter((p) => p.name !== 'AALARM' && p.name !== 'DALARM');
    if (minutes === undefined || !start) return { ...event, properties: kept };
    const at = writeWhen(alarmAt(start, minutes));
    const old = properties.filter((p) => p.name === 'AALARM' || p.name === 'DALARM');
    const alarms = old.length ? old.map((p) => ({ ...p, value: [[at], ...p.value.slice(1)] })) : [{ name: 'AALARM', params: [], value: [[at]] }];
    return { ...event, properties: [...kept, ...alarms] };
  }
  const index = event.components.findIndex((c) => c.name === 'VALARM' && param(first(c, 'TRIGGER'), 'RELATED')?.toUpperCase() !== 'END' && first(c, 'TRIGGER'));
  const components = event.components.filter((_, i) => i !== index);
  if (minutes === undefined) return { ...event, properties, components };
  const trigger = textProperty('TRIGGER', writeDuration(-minutes * 60));
  const old = event.components[index];
  const alarm: Component = old
    ? { ...old, properties: put(old.properties, 'TRIGGER', trigger) }
    : { name: 'VALARM', properties: [textProperty('ACTION', 'DISPLAY'), textProperty('DESCRIPTION', fields.summary || 'Reminder'), trigger], components: [] };
  components.splice(index < 0 ? components.length : index, 0, alarm);
  return { ...event, properties, components };
}

export function writeEvent(fields: EventFields, version: VCalendarVersion, base?: string, options: { charset?: string } = {}): string {
  const parsed = base ? parseCalendar(base) : undefined;
  const calendar: Component = parsed?.calendar ?? { name: 'VCALENDAR', properties: [], components: [{ name: 'VEVENT', properties: [], components: [] }] };
  const event = parsed?.event ?? calendar.components[0];
  const syntax: Syntax = syntaxOfVersion(version);
  // The times first, then the text fields: SUMMARY before DTSTART in a new event, as phones write it.
  let properties = writeSlots(TEXT_SLOTS, event.properties, fields, syntax);
  properties = writeTimes({ ...event, properties }, fields, version);
  properties = writeRule(properties, event, fields, version);
  const newEvent = writeAlarm(event, properties, fields, version);
  let top = calendar.properties.filter((p) => p.name !== 'VERSION');
  if (version === '2.0' && !top.some((p) => p.name === 'PRODID')) top = [textProperty('PRODID', PRODID), ...top];
  const oldVersion = first(calendar, 'VERSION');
  const versionProperty = oldVersion && textOf(oldVersion).trim() === version ? oldVersion : textProperty('VERSION', version);
  const components = calendar.components.map((c) => (c === event ? newEvent : c));
  return writeVObject({ ...calendar, properties: [versionProperty, ...top], components }, syntax, { ...options, base64Name: 'BASE64' });
}
