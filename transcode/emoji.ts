// The few pictograms the pages use: a DoCoMo i-mode emoji for cHTML, a short text elsewhere.
//
// DoCoMo's 252 emoji (176 basic, 76 extended) sit in Shift_JIS rows F8 and F9, which is the
// user-defined area of Microsoft's cp932; DoCoMo's Unicode forms are cp932's own mapping of that
// area to the private use area (U+E000 + 188 per lead byte from F0), so one formula maps both ways:
//   U+E63E–U+E69B ↔ F89F–F8FC   (row F8, trail bytes 9F–FC)
//   U+E69C–U+E6DA ↔ F940–F97E   (row F9, trail bytes 40–7E)
//   U+E6DB–U+E757 ↔ F980–F9FC   (row F9, trail bytes 80–FC; Shift_JIS never uses 7F as a trail)
// Verified against DoCoMo's published pictograph list (as tabulated in Encode::JP::Mobile's
// dat/docomo-table.yaml): every entry there sits on this formula.

export type Markup = 'wml' | 'chtml' | 'html';

interface Pictogram {
  /** DoCoMo's Unicode (private use) form; encodeBody turns it into the two Shift_JIS bytes. */
  docomo: string;
  /** What a device without DoCoMo emoji reads. */
  text: string;
}

/**
 * The pictograms we use, by the name pages use. DoCoMo has no calendar: the memo (a page) stands
 * in for it, as the carriers' own cross-mapping tables do for KDDI's calendar.
 */
export const EMOJI = {
  mail: { docomo: '\uE6D3', text: '[mail]' }, // メール, F977: an envelope
  alarm: { docomo: '\uE713', text: '[alarm]' }, // チャペル, F9B8: a bell (extended set)
  clock: { docomo: '\uE6BA', text: '[time]' }, // 時計, F95E: an alarm clock
  calendar: { docomo: '\uE689', text: '[date]' }, // メモ, F8EA
  warning: { docomo: '\uE737', text: '[!]' }, // 危険・警告, F9DC (extended set)
  ok: { docomo: '\uE70B', text: '[OK]' }, // 決定, F9B0: a squared OK
  phone: { docomo: '\uE687', text: '[tel]' }, // 電話, F8E8
  mobile: { docomo: '\uE688', text: '[mobile]' }, // 携帯電話, F8E9
  home: { docomo: '\uE663', text: '[home]' }, // 家, F8C4
  search: { docomo: '\uE6DC', text: '[search]' }, // サーチ（調べる）, F981: a magnifying glass
  key: { docomo: '\uE6D9', text: '[key]' }, // パスワード, F97D: a key
  new: { docomo: '\uE6DD', text: '[new]' }, // ＮＥＷ, F982
  wine: { docomo: '\uE756', text: '[wine]' }, // ワイングラス, F9FB (extended set)
} as const satisfies Record<string, Pictogram>;

export type EmojiName = keyof typeof EMOJI;

/** The pictogram for a page in `markup`: DoCoMo's character in cHTML, a short text in WML and HTML. */
export function emoji(name: EmojiName, markup: Markup): string {
  const p: Pictogram = EMOJI[name];
  return markup === 'chtml' ? p.docomo : p.text;
}

/** The keypad digits 0–9 as DoCoMo draws them (F987–F990), for number-key `accesskey` links. */
export function keycap(digit: number, markup: Markup): string {
  if (!Number.isInteger(digit) || digit < 0 || digit > 9) throw new RangeError(`no keycap for ${digit}`);
  if (markup !== 'chtml') return `[${digit}]`;
  // U+E6E2 is 1 … U+E6EA is 9, then U+E6EB is 0.
  return String.fromCharCode(digit === 0 ? 0xe6eb : 0xe6e1 + digit);
}

/**
 * The code points DoCoMo assigned within U+E63E–U+E757 (the others in the range are holes: no
 * handset draws them). Inclusive ranges, from the basic and extended pictograph lists.
 */
const DOCOMO_ASSIGNED: readonly [number, number][] = [
  [0xe63e, 0xe6a5], // F89F–F8FC, F940–F949
  [0xe6ac, 0xe6ae], // F950–F952
  [0xe6b1, 0xe6b3], // F955–F957
  [0xe6b7, 0xe6ba], // F95B–F95E
  [0xe6ce, 0xe757], // F972–F97E, F980–F9FC
];

/** Whether a code point is one of DoCoMo's 252 emoji. */
export function isDocomoEmoji(cp: number): boolean {
  return DOCOMO_ASSIGNED.some(([lo, hi]) => cp >= lo && cp <= hi);
}

/** The two Shift_JIS bytes of a DoCoMo emoji (its Unicode private use form), or undefined for anything else. */
export function docomoShiftJis(cp: number): [number, number] | undefined {
  if (!isDocomoEmoji(cp)) return undefined;
  // cp932's user-defined area: 188 characters per lead byte from F0 at U+E000.
  const index = cp - 0xe000;
  const lead = 0xf0 + Math.floor(index / 188);
  const cell = index % 188;
  return [lead, cell < 0x3f ? 0x40 + cell : 0x80 + cell - 0x3f];
}

/**
 * The DoCoMo emoji two Shift_JIS bytes stand for, or undefined when they are not one: what an
 * i-mode handset posts when its user types an emoji into a form.
 */
export function docomoFromShiftJis(lead: number, trail: number): number | undefined {
  if ((lead !== 0xf8 && lead !== 0xf9) || trail < 0x40 || trail === 0x7f || trail > 0xfc) return undefined;
  const cell = trail < 0x80 ? trail - 0x40 : trail - 0x80 + 0x3f;
  const cp = 0xe000 + (lead - 0xf0) * 188 + cell;
  return isDocomoEmoji(cp) ? cp : undefined;
}
