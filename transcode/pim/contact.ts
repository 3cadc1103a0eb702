// vCard 2.1 / 3.0 ↔ the fixed fields of a Contacts record.
//
// Interface:
//   CONTACT_FIELDS, type ContactField, type ContactFields (field → text; an absent field is empty)
//   type VCardVersion = '2.1' | '3.0'
//   readContact(text, mime?) → { fields, version }
//                  `mime` is the item's type on the wire (text/x-vcard → 2.1, text/vcard → 3.0),
//                  used when the card has no VERSION. PimError when it is not a vCard.
//   writeContact(fields, version, base?, options?) → string
//                  the fields as a vCard of `version`. With `base` (the card as last received,
//                  any version), every property no field maps, every parameter and every
//                  component a field does not cover is kept; unchanged properties come back as
//                  they were read. options.charset: the charset of 2.1 non-ASCII text (default UTF-8).
//
// Which property a field is: the first one of its kind. Phones: the first TEL with TYPE CELL is
// mobilePhone; of the rest the first HOME one homePhone, WORK one workPhone, FAX one fax, and the
// first without any of those types phone. The first EMAIL not of TYPE WORK is email, the first
// WORK one workEmail. Further phones, e-mails and addresses are kept as they are, not mapped.
import { PimError, type Property } from './content-line.ts';
import { hasType, readSlots, writeSlots, type Family, type Slot } from './slots.ts';
import { parseVObject, syntaxOfVersion, textProperty, writeVObject, type Component } from './vobject.ts';

export const CONTACT_FIELDS = [
  'formattedName',
  'familyName',
  'givenName',
  'additionalNames',
  'prefix',
  'suffix',
  'mobilePhone',
  'homePhone',
  'workPhone',
  'fax',
  'phone',
  'email',
  'workEmail',
  'street',
  'city',
  'region',
  'postalCode',
  'country',
  'organization',
  'department',
  'title',
  'note',
  'birthday',
  'url',
] as const;
export type ContactField = (typeof CONTACT_FIELDS)[number];
export type ContactFields = Partial<Record<ContactField, string>>;
export type VCardVersion = '2.1' | '3.0';

const PHONE_KINDS = ['CELL', 'HOME', 'WORK', 'FAX', 'PAGER'];
const tel = (type: string | null): Family => ({
  name: 'TEL',
  params: type ? [{ name: 'TYPE', values: [type] }] : [],
  matches: (p) => (type === null ? !PHONE_KINDS.some((k) => hasType(p, k)) : hasType(p, type) && (type === 'CELL' || type === 'FAX' || !['CELL', 'FAX', 'PAGER'].some((k) => hasType(p, k)))),
});

/** A birthday as YYYY-MM-DD, from the forms phones send: 19700131, 1970-01-31, 1970-01-31T00:00:00Z. */
function readDate(text: string): string | undefined {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})(?:T[\d:]+(?:Z|[+-]\d{2}:?\d{2})?)?$/.exec(text.trim());
  return m ? `${m[1]}-${m[2]}-${m[3]}` : undefined;
}

const N: Family = { name: 'N', size: 5 };
const ADR: Family = { name: 'ADR', size: 7 };
const ORG: Family = { name: 'ORG' };
const one = (name: string): Family => ({ name });

/** Fields that are the components of one structured property, from component `first` on. */
const parts = (family: Family, first: number, fields: ContactField[]): Array<Slot<ContactField>> => fields.map((field, i) => ({ field, family, component: first + i }));

const SLOTS: ReadonlyArray<Slot<ContactField>> = [
  { field: 'formattedName', family: one('FN') },
  ...parts(N, 0, ['familyName', 'givenName', 'additionalNames', 'prefix', 'suffix']),
  { field: 'mobilePhone', family: tel('CELL') },
  { field: 'homePhone', family: tel('HOME') },
  { field: 'workPhone', family: tel('WORK') },
  { field: 'fax', family: tel('FAX') },
  { field: 'phone', family: tel(null) },
  { field: 'email', family: { name: 'EMAIL', params: [{ name: 'TYPE', values: ['INTERNET'] }], matches: (p) => !hasType(p, 'WORK') } },
  { field: 'workEmail', family: { name: 'EMAIL', params: [{ name: 'TYPE', values: ['INTERNET', 'WORK'] }], matches: (p) => hasType(p, 'WORK') } },
  // ADR components: post office box and extended address (kept, not mapped), street, locality, region, postal code, country.
  ...parts(ADR, 2, ['street', 'city', 'region', 'postalCode', 'country']),
  ...parts(ORG, 0, ['organization', 'department']),
  { field: 'title', family: one('TITLE') },
  { field: 'note', family: one('NOTE') },
  { field: 'birthday', family: one('BDAY'), read: readDate },
  { field: 'url', family: one('URL') },
];

const MIME_VERSIONS: Record<string, VCardVersion> = { 'text/x-vcard': '2.1', 'text/vcard': '3.0', 'text/directory': '3.0' };

function versionOf(card: Component): VCardVersion | undefined {
  const v = card.properties.find((p) => p.name === 'VERSION')?.value[0]?.[0]?.trim();
  return v === '2.1' || v === '3.0' ? v : undefined;
}

function parseCard(text: string, mime?: string): { card: Component; version: VCardVersion } {
  const hint = mime ? MIME_VERSIONS[mime.toLowerCase()] : undefined;
  const { root } = parseVObject(text, hint);
  if (root.name !== 'VCARD') throw new PimError(`a vCard was expected, not ${root.name}`);
  const named = root.properties.find((p) => p.name === 'VERSION');
  const version = versionOf(root);
  if (named && !version) throw new PimError(`vCard version "${named.value[0]?.[0] ?? ''}" is not 2.1 or 3.0`);
  return { card: root, version: version ?? hint ?? '2.1' };
}

export function readContact(text: string, mime?: string): { fields: ContactFields; version: VCardVersion } {
  const { card, version } = parseCard(text, mime);
  return { fields: readSlots(SLOTS, card.properties), version };
}

/** What 3.0 requires (RFC 2426 §5: N and FN) and 2.1 requires (N), made from the fields when missing. */
function required(properties: Property[], fields: ContactFields, version: VCardVersion): Property[] {
  const out = [...properties];
  if (!out.some((p) => p.name === 'N')) out.push({ name: 'N', params: [], value: [[''], [''], [''], [''], ['']] });
  if (version === '3.0' && !out.some((p) => p.name === 'FN')) {
    const name = [fields.prefix, fields.givenName, fields.additionalNames, fields.familyName, fields.suffix].filter(Boolean).join(' ');
    out.push(textProperty('FN', name || fields.organization || fields.email || fields.mobilePhone || fields.phone || ''));
  }
  return out;
}

export function writeContact(fields: ContactFields, version: VCardVersion, base?: string, options: { charset?: string } = {}): string {
  const card: Component = base ? parseCard(base).card : { name: 'VCARD', properties: [], components: [] };
  const syntax = syntaxOfVersion(version);
  const others = card.properties.filter((p) => p.name !== 'VERSION');
  const previous = card.properties.find((p) => p.name === 'VERSION');
  const versionProperty = previous && versionOf(card) === version ? previous : textProperty('VERSION', version);
  const properties = [versionProperty, ...required(writeSlots(SLOTS, others, fields, syntax), fields, version)];
  return writeVObject({ ...card, properties }, syntax, options);
}
