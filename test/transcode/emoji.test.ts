// Pictograms: DoCoMo emoji bytes for i-mode pages, short text for WAP phones and dial-up browsers.
import test from 'ava';
import iconv from 'iconv-lite';
import { EMOJI, docomoFromShiftJis, docomoShiftJis, emoji, isDocomoEmoji, keycap, type EmojiName } from '../../transcode/emoji.ts';
import { decodeForm, encodeBody } from '../../transcode/charset.ts';

const sjis = (text: string) => [...encodeBody(text, 'shift_jis')];

// Name → the Shift_JIS bytes an i-mode handset receives, from DoCoMo's pictograph list.
const BYTES: [EmojiName, number, number][] = [
  ['mail', 0xf9, 0x77],
  ['alarm', 0xf9, 0xb8],
  ['clock', 0xf9, 0x5e],
  ['calendar', 0xf8, 0xea],
  ['warning', 0xf9, 0xdc],
  ['ok', 0xf9, 0xb0],
  ['phone', 0xf8, 0xe8],
  ['mobile', 0xf8, 0xe9],
  ['home', 0xf8, 0xc4],
  ['search', 0xf9, 0x81],
  ['key', 0xf9, 0x7d],
  ['new', 0xf9, 0x82],
  ['wine', 0xf9, 0xfb],
];

for (const [name, lead, trail] of BYTES) {
  test(`an i-mode page shows ${name} as the two bytes ${lead.toString(16)}${trail.toString(16)}`, (t) => {
    t.deepEqual(sjis(emoji(name, 'chtml')), [lead, trail]);
  });
}

test('every pictogram we use has its bytes checked', (t) => {
  t.deepEqual(BYTES.map(([name]) => name).sort(), Object.keys(EMOJI).sort());
});

test('WAP phones and dial-up browsers read a short text instead', (t) => {
  t.is(emoji('mail', 'wml'), '[mail]');
  t.is(emoji('mail', 'html'), '[mail]');
  t.is(emoji('warning', 'html'), '[!]');
  for (const name of Object.keys(EMOJI) as EmojiName[]) {
    for (const markup of ['wml', 'html'] as const) t.regex(emoji(name, markup), /^\[[ -~]+\]$/, 'plain ASCII, nothing to escape, no private use character');
  }
});

test('the emoji sit among Shift_JIS text with the bytes around them untouched', (t) => {
  const page = `<p>${emoji('mail', 'chtml')}新着 2</p>`;
  t.deepEqual(sjis(page), [...Buffer.from('<p>'), 0xf9, 0x77, 0x90, 0x56, 0x92, 0x85, 0x20, 0x32, ...Buffer.from('</p>')]);
  t.deepEqual(sjis(`${emoji('ok', 'chtml')}${emoji('ok', 'chtml')}`), [0xf9, 0xb0, 0xf9, 0xb0]);
  t.deepEqual(sjis(`ｶ${emoji('phone', 'chtml')}ｶ`), [0xb6, 0xf8, 0xe8, 0xb6]);
});

// DoCoMo's list at the edges of each run of codes (basic 1, 94, 95, 104, 167, 170, 176, 105, 117, 118, 135; extended 1, 76).
const EDGES: [number, number, number][] = [
  [0xe63e, 0xf8, 0x9f], // 晴れ, basic 1
  [0xe69b, 0xf8, 0xfc], // 車椅子, basic 94
  [0xe69c, 0xf9, 0x40], // 新月, basic 95
  [0xe6a5, 0xf9, 0x49], // 左斜め下, basic 104
  [0xe6ac, 0xf9, 0x50], // カチンコ, basic 167
  [0xe6b1, 0xf9, 0x55], // 人影, basic 170
  [0xe6ba, 0xf9, 0x5e], // 時計, basic 176
  [0xe6ce, 0xf9, 0x72], // phone to, basic 105
  [0xe6da, 0xf9, 0x7e], // 次項有, basic 117
  [0xe6db, 0xf9, 0x80], // クリア, basic 118: the trail byte skips 7F
  [0xe70b, 0xf9, 0xb0], // 決定, basic 135
  [0xe70c, 0xf9, 0xb1], // iアプリ, extended 1
  [0xe757, 0xf9, 0xfc], // げっそり, extended 76
];

for (const [cp, lead, trail] of EDGES) {
  test(`U+${cp.toString(16).toUpperCase()} is Shift_JIS ${lead.toString(16)}${trail.toString(16)}`, (t) => {
    t.deepEqual(sjis(String.fromCharCode(cp)), [lead, trail]);
  });
}

test('DoCoMo has 252 emoji, each two bytes in rows F8–F9 that read back as the same character', (t) => {
  let count = 0;
  for (let cp = 0xe000; cp <= 0xf8ff; cp++) {
    if (!isDocomoEmoji(cp)) continue;
    count++;
    const [lead, trail] = docomoShiftJis(cp)!;
    t.true(lead === 0xf8 || lead === 0xf9);
    t.is(docomoFromShiftJis(lead, trail), cp);
    t.is(decodeForm(Buffer.from([0x71, 0x3d, lead, trail]), 'shift_jis').q, String.fromCharCode(cp));
    // iconv-lite's cp932 table has the F8 row and F940 only: where it has them, it agrees.
    if (lead === 0xf8 || trail === 0x40) t.is(iconv.decode(Buffer.from([lead, trail]), 'shift_jis'), String.fromCharCode(cp));
  }
  t.is(count, 252);
});

test('the holes in the emoji range and other private use characters are 〓', (t) => {
  const geta = [0x81, 0xac];
  for (const cp of [0xe63d, 0xe6a6, 0xe6ab, 0xe6af, 0xe6b4, 0xe6bb, 0xe6cd, 0xe758, 0xe000]) {
    t.is(docomoShiftJis(cp), undefined);
    t.deepEqual(sjis(String.fromCharCode(cp)), geta, `U+${cp.toString(16)}`);
  }
});

test('an emoji an i-mode user typed into a form is read as one character and sent back as the same two bytes', (t) => {
  const typed = decodeForm(Buffer.from('q=a%F9%77b%F8%9F', 'latin1'), 'shift_jis').q;
  t.is(typed, 'a\uE6D3b\uE63E');
  t.deepEqual(sjis(typed), [0x61, 0xf9, 0x77, 0x62, 0xf8, 0x9f]);
  t.is(decodeForm(Buffer.from([0x71, 0x3d, 0xf9, 0xb0, 0x93, 0xfa]), 'shift_jis').q, '\uE70B日', 'raw bytes too');
});

test('F8 and F9 as trail bytes of a kanji are not emoji', (t) => {
  // 0x88 0xF9 is 飲: the F9 is its trail byte, and the 0x77 after it is a plain 'w'.
  const bytes = Buffer.from([0x71, 0x3d, 0x88, 0xf9, 0x77, 0x41]);
  t.is(decodeForm(bytes, 'shift_jis').q, '飲wA');
});

test('a pair in rows F8–F9 DoCoMo never assigned is one U+FFFD, and the next character survives', (t) => {
  t.is(decodeForm(Buffer.from([0x71, 0x3d, 0xf9, 0x4a, 0x41]), 'shift_jis').q, '\uFFFDA');
  t.is(decodeForm(Buffer.from([0x71, 0x3d, 0x41, 0xf9]), 'shift_jis').q, iconv.decode(Buffer.from([0x41, 0xf9]), 'shift_jis'), 'a lead byte at the end');
});

test('UTF-8 pages carry no emoji bytes of their own', (t) => {
  t.deepEqual([...encodeBody(emoji('mail', 'html'), 'utf-8')], [...Buffer.from('[mail]')]);
});

test('keycaps: DoCoMo digits for number-key links, [n] elsewhere', (t) => {
  t.deepEqual(sjis(keycap(1, 'chtml')), [0xf9, 0x87]);
  t.deepEqual(sjis(keycap(9, 'chtml')), [0xf9, 0x8f]);
  t.deepEqual(sjis(keycap(0, 'chtml')), [0xf9, 0x90]);
  t.is(keycap(5, 'wml'), '[5]');
  t.throws(() => keycap(10, 'chtml'), { instanceOf: RangeError });
});
