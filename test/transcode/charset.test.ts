// Pages in Shift_JIS for i-mode, forms posted in Shift_JIS, and the charset labels handsets use.
import test from 'ava';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { isDeepStrictEqual } from 'node:util';
import { charsetOf, decodeForm, encodeBody, GETA } from '../../transcode/charset.ts';

/** Percent-encodes a form the way a handset posts it: every byte outside a few safe ASCII characters escaped. */
function posted(form: [string, string][], charset: 'utf-8' | 'shift_jis'): Buffer {
  const escape = (s: string) =>
    [...iconv.encode(s, charset)].map((b) => (/[A-Za-z0-9*._-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : '%' + b.toString(16).toUpperCase().padStart(2, '0'))).join('');
  return Buffer.from(form.map(([k, v]) => `${escape(k)}=${escape(v)}`).join('&'), 'latin1');
}

test('half-width katakana and kanji become the Shift_JIS bytes an i-mode handset shows', (t) => {
  t.deepEqual([...encodeBody('ｶﾀｶﾅ', 'shift_jis')], [0xb6, 0xc0, 0xb6, 0xc5]);
  t.deepEqual([...encodeBody('日本語', 'shift_jis')], [0x93, 0xfa, 0x96, 0x7b, 0x8c, 0xea]);
  t.deepEqual([...encodeBody('<a href="/">Home</a>', 'shift_jis')], [...Buffer.from('<a href="/">Home</a>')]);
});

test('what Shift_JIS lacks becomes 〓, one for each character, never ? or nothing', (t) => {
  const geta = [0x81, 0xac];
  t.deepEqual([...encodeBody('한', 'shift_jis')], geta);
  t.deepEqual([...encodeBody('🍷', 'shift_jis')], geta, 'an emoji is one character, one 〓');
  t.is(iconv.decode(encodeBody('Café 한국 🍷?', 'shift_jis'), 'shift_jis'), `Caf${GETA} ${GETA}${GETA} ${GETA}?`);
});

test('the Unicode forms of JIS punctuation reach the handset as the same glyph', (t) => {
  t.is(iconv.decode(encodeBody('10〜20 − 3', 'shift_jis'), 'shift_jis'), '10～20 － 3');
});

test('whatever the text, the Shift_JIS page has as many characters and only the ? it had', (t) => {
  fc.assert(
    // DoCoMo's pictograms (U+E63E–U+E757) become F8xx/F9xx bytes that iconv-lite cannot read back;
    // the emoji tests check those bytes exactly.
    fc.property(fc.string({ unit: 'binary', maxLength: 80 }).filter((s) => !/[\uE63E-\uE757]/.test(s)), (s) => {
      const back = iconv.decode(encodeBody(s, 'shift_jis'), 'shift_jis');
      const count = (x: string, c: string) => [...x].filter((ch) => ch === c).length;
      return [...back].length === [...s].length && count(back, '?') === count(s, '?');
    }),
  );
  t.pass();
});

test('UTF-8 pages are plain UTF-8', (t) => {
  t.deepEqual(encodeBody('日本語 🍷', 'utf-8'), Buffer.from('日本語 🍷', 'utf8'));
});

test('an i-mode form post in Shift_JIS is read back as the text typed', (t) => {
  const raw = Buffer.from('name=%B6%C0%B6%C5&city=%93%FA%96%7B%8C%EA&note=a+b%2Bc', 'latin1');
  t.deepEqual(decodeForm(raw, 'shift_jis'), { name: 'ｶﾀｶﾅ', city: '日本語', note: 'a b+c' });
});

test('raw Shift_JIS bytes that a handset did not escape are read too', (t) => {
  const raw = Buffer.concat([Buffer.from('q='), iconv.encode('すきやばし次郎 ｽｼ', 'shift_jis')]);
  t.deepEqual(decodeForm(raw, 'shift_jis'), { q: 'すきやばし次郎 ｽｼ' });
});

test('a repeated name keeps its last value; odd pairs are read leniently', (t) => {
  t.deepEqual(decodeForm(Buffer.from('f5=&f5=1&flag&&=x&bad=%zz%4'), 'utf-8'), { f5: '1', flag: '', '': 'x', bad: '%zz%4' });
  t.deepEqual(decodeForm(Buffer.alloc(0), 'utf-8'), {});
});

test('a field named __proto__ is only a field', (t) => {
  const form = decodeForm(Buffer.from('__proto__=x&a=1'), 'utf-8');
  t.is(Object.getPrototypeOf(form), Object.prototype);
  t.is(Object.getOwnPropertyDescriptor(form, '__proto__')?.value, 'x');
});

/** Characters an i-mode user types: ASCII, hiragana, katakana (both widths), kanji, full-width forms. */
const sjisChar = fc
  .oneof(
    fc.integer({ min: 0x20, max: 0x7e }),
    fc.integer({ min: 0x3041, max: 0x3093 }),
    fc.integer({ min: 0x30a1, max: 0x30f6 }),
    fc.integer({ min: 0xff61, max: 0xff9f }),
    fc.integer({ min: 0x4e00, max: 0x9fa0 }),
    fc.integer({ min: 0xff01, max: 0xff5e }),
  )
  .map((c) => String.fromCharCode(c))
  .filter((c) => c !== '\\' && c !== '~' && iconv.decode(iconv.encode(c, 'shift_jis'), 'shift_jis') === c);

test('any form of Shift_JIS text, posted as a handset posts it, reads back the same', (t) => {
  const pair = fc.tuple(fc.string({ unit: sjisChar, minLength: 1, maxLength: 8 }), fc.string({ unit: sjisChar, maxLength: 30 }));
  fc.assert(
    fc.property(fc.uniqueArray(pair, { selector: ([k]) => k, maxLength: 5 }), (form) =>
      isDeepStrictEqual(decodeForm(posted(form, 'shift_jis'), 'shift_jis'), Object.fromEntries(form)),
    ),
  );
  t.pass();
});

test('any UTF-8 form reads back the same', (t) => {
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 }), (name, value) => {
      const raw = Buffer.from(`${encodeURIComponent(name)}=${encodeURIComponent(value)}`);
      return isDeepStrictEqual(decodeForm(raw, 'utf-8'), { [name]: value });
    }),
  );
  t.pass();
});

test('charset labels from Content-Type and Accept-Charset', (t) => {
  for (const label of ['Shift_JIS', 'shift-jis', 'SJIS', 'x-sjis', 'Windows-31J', 'cp932']) {
    t.is(charsetOf(`application/x-www-form-urlencoded; charset=${label}`), 'shift_jis', label);
    t.is(charsetOf(label), 'shift_jis', label);
  }
  t.is(charsetOf('text/html; charset="Shift_JIS"'), 'shift_jis');
  t.is(charsetOf('text/html;charset=UTF-8'), 'utf-8');
  t.is(charsetOf('application/x-www-form-urlencoded'), 'utf-8');
  t.is(charsetOf('text/html; charset=iso-2022-jp'), 'utf-8', 'an unknown charset: the default');
  t.is(charsetOf(''), 'utf-8');
  t.is(charsetOf(undefined), 'utf-8');
  t.is(charsetOf('ISO-8859-1, UTF-8; Q=0.8, ISO-10646-UCS-2; Q=0.6'), 'utf-8', 'a Nokia 6210');
  t.is(charsetOf('utf-8;q=0.5, Shift_JIS'), 'shift_jis', 'the higher q wins');
});
