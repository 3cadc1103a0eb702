// The datastores a partner can sync: their names on the wire, and the codec between each one's
// items (vCard, iCalendar) and the fixed fields of the user's database.
import { readContact, writeContact, type ContactField, type ContactFields, type VCardVersion } from '../../transcode/pim/contact.ts';
import { readEvent, writeEvent, type EventFields, type VCalendarVersion } from '../../transcode/pim/event.ts';
import type { PimCodec } from './pim.ts';

/** Field names as users see them, for the format module's contact fields. */
const CONTACT_LABELS: Record<ContactField, string> = {
  formattedName: 'Name',
  familyName: 'Family name',
  givenName: 'Given name',
  additionalNames: 'Middle names',
  prefix: 'Prefix',
  suffix: 'Suffix',
  mobilePhone: 'Mobile',
  homePhone: 'Home phone',
  workPhone: 'Work phone',
  fax: 'Fax',
  phone: 'Phone',
  email: 'E-mail',
  workEmail: 'Work e-mail',
  street: 'Street',
  city: 'City',
  region: 'Region',
  postalCode: 'Postal code',
  country: 'Country',
  organization: 'Organization',
  department: 'Department',
  title: 'Title',
  note: 'Note',
  birthday: 'Birthday',
  url: 'Web page',
};

const CONTACT_VERSIONS: Record<string, VCardVersion> = { 'text/vcard': '3.0', 'text/x-vcard': '2.1' };

const byLabel = <F extends string>(labels: Record<F, string>) => Object.fromEntries(Object.entries(labels).map(([k, v]) => [v as string, k as F])) as Record<string, F>;

const CONTACT_KEYS = byLabel(CONTACT_LABELS);

export const CONTACTS: PimCodec = {
  dbName: 'Contacts',
  fields: Object.entries(CONTACT_LABELS).map(([key, name]) => ({ name: name as string, type: key === 'birthday' ? 'date' : 'text' })),
  types: [
    { type: 'text/vcard', version: '3.0' },
    { type: 'text/x-vcard', version: '2.1' },
  ],
  decode(text, type) {
    const { fields } = readContact(text, type);
    return { values: Object.fromEntries(Object.entries(fields).map(([k, v]) => [CONTACT_LABELS[k as ContactField], String(v ?? '')])) };
  },
  encode(item, type) {
    const fields: ContactFields = Object.fromEntries(Object.entries(item.values).map(([name, v]) => [CONTACT_KEYS[name], v]));
    return writeContact(fields, CONTACT_VERSIONS[type] ?? '3.0', item.base);
  },
};

const EVENT_LABELS: Record<keyof EventFields, string> = {
  summary: 'Title',
  start: 'Start',
  end: 'End',
  allDay: 'All day',
  location: 'Location',
  description: 'Description',
  rrule: 'Repeats',
  alarmMinutes: 'Alarm minutes before',
  timezone: 'Time zone',
  uid: 'UID',
};
const EVENT_KEYS = byLabel(EVENT_LABELS);
const EVENT_VERSIONS: Record<string, VCalendarVersion> = { 'text/calendar': '2.0', 'text/x-vcalendar': '1.0' };

export const CALENDAR: PimCodec = {
  dbName: 'Calendar',
  fields: Object.entries(EVENT_LABELS).map(([key, name]) => ({ name: name as string, type: key === 'allDay' ? 'checkbox' : key === 'alarmMinutes' ? 'number' : 'text' })),
  types: [
    { type: 'text/calendar', version: '2.0' },
    { type: 'text/x-vcalendar', version: '1.0' },
  ],
  decode(text, type) {
    const { fields } = readEvent(text, type);
    const values: Record<string, string> = {};
    for (const [k, v] of Object.entries(fields)) {
      if (v === undefined || v === false) continue;
      values[EVENT_LABELS[k as keyof EventFields]] = v === true ? 'yes' : String(v);
    }
    return { values };
  },
  encode(item, type) {
    const fields: EventFields = {};
    for (const [name, v] of Object.entries(item.values)) {
      const key = EVENT_KEYS[name];
      if (key === 'allDay') fields.allDay = v !== '' && v !== 'false';
      else if (key === 'alarmMinutes') { if (v !== '') fields.alarmMinutes = Number(v); }
      else if (key) fields[key] = v;
    }
    return writeEvent(fields, EVENT_VERSIONS[type] ?? '2.0', item.base);
  },
};

/** Datastore names phones and PIMs use for each, as we find them on the wire (case and "./" aside). */
const NAMES: Record<string, PimCodec> = {
  addressbook: CONTACTS,
  contacts: CONTACTS,
  contact: CONTACTS,
  card: CONTACTS,
  pab: CONTACTS,
  calendar: CALENDAR,
  events: CALENDAR,
  event: CALENDAR,
  cal: CALENDAR,
  agenda: CALENDAR,
};

/** The datastores we offer, by the name our DevInf gives them. */
export const OFFERED: readonly { uri: string; codec: PimCodec }[] = [
  { uri: 'addressbook', codec: CONTACTS },
  { uri: 'calendar', codec: CALENDAR },
];

export function codecFor(uri: string): PimCodec | undefined {
  return NAMES[uri.replace(/^\.\//, '').toLowerCase()];
}
