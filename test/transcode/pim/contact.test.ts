// vCard 2.1 / 3.0 ↔ contact fields: the recorded SyncEvolution items, what phones send
// (quoted-printable, CHARSET, folding, BASE64 photos, grouped properties), and round trips of
// hostile values.
import test from 'ava';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { CONTACT_FIELDS, readContact, writeContact, type ContactFields } from '../../../transcode/pim/contact.ts';
import { PimError } from '../../../transcode/pim/content-line.ts';
import { parseVObject } from '../../../transcode/pim/vobject.ts';
import { convertsBothWays } from '../../support/pim.ts';
import { dataItems, wireItems } from '../../support/syncml-fixtures.ts';

const crlf = (s: string) => s.replace(/\r?\n/g, '\r\n');
const cards = () => [...dataItems(), ...wireItems()].filter((i) => i.text.startsWith('BEGIN:VCARD'));

test('every vCard of the recorded sessions reads and comes back byte for byte when nothing changed', (t) => {
  const all = cards();
  t.true(all.length > 100, `only ${all.length} cards found`);
  for (const { where, text } of all) {
    const { fields, version } = readContact(text);
    t.truthy(fields.formattedName, where);
    t.is(writeContact(fields, version, text), crlf(text), where);
  }
});

test('the 2.1 cards SyncEvolution sent, with their quoted-printable note, read as the server stored them', (t) => {
  const carla = wireItems().find((i) => i.where.startsWith('15-vcard21-slow/002-resp') && i.text.includes('Carla'))!;
  t.is(carla.type, 'text/x-vcard');
  const { fields, version } = readContact(carla.text, carla.type);
  t.is(version, '2.1');
  t.deepEqual(fields, { formattedName: 'Carla Client', familyName: 'Client', givenName: 'Carla', note: 'second server edit\nsecond client edit' });
  const sam = wireItems().find((i) => i.where.startsWith('15-vcard21-slow/002-resp') && i.text.includes('Sam'))!;
  t.is(readContact(sam.text).fields.workPhone, '+1-555-0222');
  // The same contact in the server's 3.0 store.
  const stored = dataItems().find((i) => i.where.startsWith('15-vcard21-slow/after-server') && i.text.includes('Carla'))!;
  t.is(readContact(stored.text).fields.note, 'second server edit\nsecond client edit');
});

test('2.1 → 3.0 → 2.1 keeps every field and every property no field maps', (t) => {
  convertsBothWays(t, cards(), {
    read: (text) => readContact(text),
    write: writeContact,
    other: (v) => (v === '2.1' ? '3.0' : '2.1'),
    names: (s) => parseVObject(s).root.properties.map((p) => p.name),
  });
});

test('quoted-printable with soft line breaks and CHARSET parameters, as phones send them', (t) => {
  const card = [
    'BEGIN:VCARD',
    'VERSION:2.1',
    'N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=D0=9A=D0=BE=D0=BC=D0=BC=D0=B5=D1=80=D1=87=D0=B5=D1=81=D0=BA=D0=B8=D0=',
    '=B9;=D0=90=D0=BD=D0=BD=D0=B0;;;',
    'FN;CHARSET=ISO-8859-1;QUOTED-PRINTABLE:J=FCrgen M=FCller',
    'ORG;CHARSET=SHIFT_JIS;ENCODING=QUOTED-PRINTABLE:=93=FA=96=7B=8C=EA;=8A=4A=94=AD',
    'ADR;HOME;ENCODING=QUOTED-PRINTABLE:;;1600 Pennsylvania Ave NW=0D=0A=',
    'Box 2;Washington;DC;20001;USA',
    'NOTE;ENCODING=QUOTED-PRINTABLE:a =3D sign and a soft break=',
    ' indented continuation',
    'END:VCARD',
  ].join('\r\n');
  const { fields } = readContact(card);
  t.is(fields.familyName, 'Коммерчески' + 'й');
  t.is(fields.givenName, 'Анна');
  t.is(fields.formattedName, 'Jürgen Müller');
  t.is(fields.organization, '日本語');
  t.is(fields.department, '開発');
  t.is(fields.street, '1600 Pennsylvania Ave NW\nBox 2');
  t.is(fields.city, 'Washington');
  t.is(fields.note, 'a = sign and a soft break indented continuation');
});

test('a 2.1 card is written for the peer: non-ASCII and line breaks as quoted-printable in the charset asked for', (t) => {
  const fields: ContactFields = { formattedName: 'Jürgen Müller', givenName: 'Jürgen', familyName: 'Müller', note: 'line one\nline two' };
  const utf8 = writeContact(fields, '2.1');
  t.regex(utf8, /\r\nFN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=BCrgen M=C3=BCller\r\n/);
  t.regex(utf8, /\r\nNOTE;ENCODING=QUOTED-PRINTABLE:line one=0D=0Aline two\r\n/);
  const latin1 = writeContact(fields, '2.1', undefined, { charset: 'ISO-8859-1' });
  t.regex(latin1, /\r\nFN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:J=FCrgen M=FCller\r\n/);
  t.deepEqual(readContact(latin1).fields, fields);
  const sjis = writeContact({ formattedName: '山田太郎' }, '2.1', undefined, { charset: 'Shift_JIS' });
  t.true(sjis.includes('\r\nFN;CHARSET=Shift_JIS;ENCODING=QUOTED-PRINTABLE:=8ER=93c=91=BE=98Y\r\n'), 'the Shift_JIS bytes 8E 52 93 63 91 BE 98 59');
  t.deepEqual([...iconv.encode('山田太郎', 'shift_jis')], [0x8e, 0x52, 0x93, 0x63, 0x91, 0xbe, 0x98, 0x59]);
  t.is(readContact(sjis).fields.formattedName, '山田太郎');
  // Every written line stays within 76 characters (quoted-printable soft breaks).
  const long = writeContact({ note: 'ü'.repeat(200) }, '2.1');
  t.true(long.split('\r\n').every((l) => l.length <= 76));
  t.is(readContact(long).fields.note, 'ü'.repeat(200));
});

test('folded lines: 2.1 keeps the blank that starts a continuation, 3.0 removes exactly one', (t) => {
  t.is(readContact('BEGIN:VCARD\r\nVERSION:2.1\r\nNOTE:folded at\r\n a blank\r\nEND:VCARD\r\n').fields.note, 'folded at a blank');
  t.is(readContact('BEGIN:VCARD\r\nVERSION:3.0\r\nNOTE:folded in the mid\r\n dle of a word,\r\n  and a blank kept\r\nEND:VCARD\r\n').fields.note, 'folded in the middle of a word, and a blank kept');
  // LF-only and CR-only line ends (as SyncML's XML parser hands them over) read alike.
  t.is(readContact('BEGIN:VCARD\nVERSION:3.0\nFN:Lf\n  Only\nEND:VCARD').fields.formattedName, 'Lf Only');
  t.is(readContact('BEGIN:VCARD\rVERSION:3.0\rFN:Cr\rEND:VCARD').fields.formattedName, 'Cr');
  // 3.0 written lines are at most 75 octets, never cut inside a character.
  const text = writeContact({ note: '日本語のメモ'.repeat(30) }, '3.0');
  t.true(text.split('\r\n').every((l) => Buffer.byteLength(l) <= 75));
  t.is(readContact(text).fields.note, '日本語のメモ'.repeat(30));
});

test('escaping per version: 3.0 backslash escapes, 2.1 only the semicolon', (t) => {
  const three = 'BEGIN:VCARD\r\nVERSION:3.0\r\nN:O\\;Brien;Pat\\, Jr.;;;\r\nNOTE:a\\nb\\\\c\\,d\\;e\r\nEND:VCARD\r\n';
  t.like(readContact(three).fields, { familyName: 'O;Brien', givenName: 'Pat, Jr.', note: 'a\nb\\c,d;e' });
  const two = 'BEGIN:VCARD\r\nVERSION:2.1\r\nN:O\\;Brien;Pat, Jr.;;;\r\nNOTE:C:\\temp\\n, here\r\nEND:VCARD\r\n';
  t.like(readContact(two).fields, { familyName: 'O;Brien', givenName: 'Pat, Jr.', note: 'C:\\temp\\n, here' });
  const written = writeContact({ familyName: 'a;b', givenName: 'c,d', note: 'x\\' }, '3.0');
  t.regex(written, /\r\nN:a\\;b;c\\,d;;;\r\n/);
  t.regex(written, /\r\nNOTE:x\\\\\r\n/);
  t.regex(writeContact({ familyName: 'a;b', givenName: 'c,d' }, '2.1'), /\r\nN:a\\;b;c,d;;;\r\n/);
});

test('grouped properties, several phones and unknown extensions are kept and given back', (t) => {
  const card = [
    'BEGIN:VCARD',
    'VERSION:3.0',
    'N:Appleseed;Johnny;;;',
    'FN:Johnny Appleseed',
    'item1.EMAIL;type=INTERNET;type=pref:johnny@example.com',
    'item1.X-ABLabel:_$!<Other>!$_',
    'TEL;TYPE=CELL:+1 555 0100',
    'TEL;TYPE=CELL:+1 555 0199',
    'TEL;TYPE=WORK,FAX:+1 555 0102',
    'TEL;TYPE=WORK,VOICE:+1 555 0103',
    'TEL:+1 555 0104',
    'X-SOCIALPROFILE;type=twitter:x.com/johnny',
    'CATEGORIES:friends,apples',
    'END:VCARD',
    '',
  ].join('\r\n');
  const { fields } = readContact(card);
  t.like(fields, { email: 'johnny@example.com', mobilePhone: '+1 555 0100', fax: '+1 555 0102', workPhone: '+1 555 0103', phone: '+1 555 0104' });
  const changed = writeContact({ ...fields, mobilePhone: '+1 555 0111', email: 'j@example.org' }, '3.0', card);
  t.is(changed, card.replace('0100', '0111').replace('johnny@example.com', 'j@example.org').replace(';type=INTERNET;type=pref', ';TYPE=INTERNET,pref'));
  // Clearing a field drops only its property; the second mobile number is not promoted in its place.
  const cleared = writeContact({ ...fields, mobilePhone: '' }, '3.0', card);
  t.false(cleared.includes('0100'));
  t.true(cleared.includes('TEL;TYPE=CELL:+1 555 0199'));
  // In 2.1 the same card: bare types, the group and the label kept.
  const two = writeContact(fields, '2.1', card);
  t.true(two.includes('item1.EMAIL;INTERNET;pref:johnny@example.com'));
  t.true(two.includes('item1.X-ABLABEL:_$!<Other>!$_'), 'names are case-insensitive: written upper case');
  t.true(two.includes('TEL;WORK;FAX:+1 555 0102'));
  t.deepEqual(readContact(two).fields, fields);
});

test('BASE64 photos: 2.1 lines up to a blank line (indented or not), 3.0 ENCODING=b; bytes kept across versions', (t) => {
  const bytes = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37) % 256));
  const b64 = bytes.toString('base64');
  const lines = b64.match(/.{1,60}/g)!;
  const unindented = ['BEGIN:VCARD', 'VERSION:2.1', 'N:Pic;Phil', 'PHOTO;ENCODING=BASE64;TYPE=JPEG:' + lines[0], ...lines.slice(1), '', 'TEL;CELL:123', 'END:VCARD'].join('\r\n');
  const indented = unindented.replace(/\r\n(?=[A-Za-z0-9+/=]{20})/g, '\r\n    ');
  for (const card of [unindented, indented]) {
    const photo = parseVObject(card).root.properties.find((p) => p.name === 'PHOTO')!;
    t.deepEqual(photo.binary, bytes);
    t.is(readContact(card).fields.mobilePhone, '123');
    const three = writeContact(readContact(card).fields, '3.0', card);
    t.true(three.includes('PHOTO;ENCODING=b;TYPE=JPEG:'));
    t.deepEqual(parseVObject(three).root.properties.find((p) => p.name === 'PHOTO')!.binary, bytes);
    const back = writeContact(readContact(three).fields, '2.1', three);
    t.deepEqual(parseVObject(back).root.properties.find((p) => p.name === 'PHOTO')!.binary, bytes);
    t.is(readContact(back).fields.mobilePhone, '123');
  }
});

test('birthdays in the forms phones send are dates; one that is not stays as it came', (t) => {
  const bday = (v: string) => readContact(`BEGIN:VCARD\r\nVERSION:3.0\r\nFN:x\r\nBDAY:${v}\r\nEND:VCARD`).fields.birthday;
  t.is(bday('19700131'), '1970-01-31');
  t.is(bday('1970-01-31'), '1970-01-31');
  t.is(bday('1970-01-31T00:00:00Z'), '1970-01-31');
  t.is(bday('--0131'), undefined);
  const odd = 'BEGIN:VCARD\r\nVERSION:3.0\r\nN:;;;;\r\nFN:x\r\nBDAY:--0131\r\nEND:VCARD\r\n';
  t.is(writeContact({ formattedName: 'y' }, '3.0', odd), odd.replace('FN:x', 'FN:y'));
});

test('what each version requires is made when missing: N always, FN in 3.0 from the name', (t) => {
  const three = writeContact({ prefix: 'Dr.', givenName: 'Ann', familyName: 'Lee' }, '3.0');
  t.regex(three, /\r\nN:Lee;Ann;;Dr\.;\r\nFN:Dr\. Ann Lee\r\n/);
  t.regex(writeContact({ organization: 'Acme' }, '3.0'), /\r\nN:;;;;\r\nFN:Acme\r\n/);
  t.notRegex(writeContact({ organization: 'Acme' }, '2.1'), /FN:/);
  t.regex(writeContact({ organization: 'Acme' }, '2.1'), /\r\nN:;;;;\r\n/);
});

test('not a vCard: a clear error naming the line, never a partial contact', (t) => {
  const bad: Array<[string, RegExp]> = [
    ['', /no BEGIN/],
    ['hello', /text before BEGIN/],
    ['BEGIN:VCARD\r\nFN:x\r\n', /never ENDed/],
    ['BEGIN:VCARD\r\nFN:x\r\nEND:VCALENDAR', /END:VCALENDAR closes BEGIN:VCARD/],
    ['BEGIN:VCARD\r\nFN x\r\nEND:VCARD', /not a property: no ":" \(line 2\)/],
    ['BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=X-NOPE;ENCODING=QUOTED-PRINTABLE:=41\r\nEND:VCARD', /unknown CHARSET "X-NOPE" \(line 3\)/],
    ['BEGIN:VCARD\r\nVERSION:3.0\r\nPHOTO;ENCODING=b:@@@\r\nEND:VCARD', /BASE64 value/],
    ['BEGIN:VCARD\r\nVERSION:4.0\r\nFN:x\r\nEND:VCARD', /version "4.0"/],
    ['BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR', /a vCard was expected/],
    ['BEGIN:VCARD\r\nFN:a\r\nEND:VCARD\r\nBEGIN:VCARD\r\nFN:b\r\nEND:VCARD', /more than one object/],
    ['BEGIN:VCARD\r\nF N:x\r\nEND:VCARD', /not a property name/],
  ];
  for (const [text, message] of bad) t.throws(() => readContact(text), { instanceOf: PimError, message }, JSON.stringify(text));
});

/** Text a user may type into any field: every character but the controls that no field stores. */
const hostile = fc.string({ unit: fc.oneof(fc.constantFrom(';', ',', '\\', ':', '=', '"', '\n', ' ', '\t', 'é', '€', '日', '😀', 'BEGIN:VCARD', 'END:VCARD', '=0D=0A'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 40 }).map((s) =>
  s.replace(/[\u0000-\u0008\u000b-\u001f\u007f\r]/g, ''),
);
const contactFields = fc.record(Object.fromEntries(CONTACT_FIELDS.map((f) => [f, f === 'birthday' ? fc.date({ min: new Date('1900-01-01'), max: new Date('2099-12-31'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)) : hostile])) as Record<keyof ContactFields, fc.Arbitrary<string>>, { requiredKeys: [] });
/** The fields a written card reads back as: the given ones but empty ones; 3.0 requires FN, made from the name when there is none. */
function readsAs(f: ContactFields, text: string): ContactFields {
  const out: ContactFields = Object.fromEntries(Object.entries(f).filter(([, v]) => v !== ''));
  if (!out.formattedName && text.includes('\r\nVERSION:3.0\r\n')) {
    const made = readContact(text).fields.formattedName;
    if (made) out.formattedName = made;
  }
  return out;
}

test('any fields, written in either version and read back, are the same fields', (t) => {
  fc.assert(
    fc.property(contactFields, fc.constantFrom('2.1' as const, '3.0' as const), (fields, version) => {
      const text = writeContact(fields, version);
      t.deepEqual(readContact(text).fields, readsAs(fields, text), text);
    }),
    { numRuns: 300 },
  );
  t.pass();
});

test('any change of fields on a received card keeps everything else, across both versions', (t) => {
  const base = cards().find((c) => c.text.includes('X-EVOLUTION-FILE-AS') && c.text.includes('VERSION:3.0'))!.text;
  const extras = (s: string) => parseVObject(s).root.properties.filter((p) => p.name.startsWith('X-') || p.name === 'PHOTO' || p.name === 'GEO').map((p) => p.name);
  fc.assert(
    fc.property(contactFields, fc.constantFrom('2.1' as const, '3.0' as const), (fields, version) => {
      const text = writeContact(fields, version, base);
      t.deepEqual(readContact(text).fields, readsAs(fields, text));
      t.deepEqual(extras(text), extras(base));
      t.is(writeContact(readContact(text).fields, version, text), text, 'unchanged fields change nothing');
    }),
    { numRuns: 150 },
  );
  t.pass();
});
