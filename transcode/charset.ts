// The two charsets pages and forms travel in: UTF-8, and Shift_JIS for i-mode handsets.
import iconv from 'iconv-lite';
import { docomoFromShiftJis, docomoShiftJis } from './emoji.ts';

export type Charset = 'utf-8' | 'shift_jis';

/** What a handset shows for a character its charset lacks: 〓 (geta), the carriers' practice. */
export const GETA = '\u3013';

/**
 * Unicode forms of JIS X 0208 characters that iconv-lite's (Microsoft) table maps to other code
 * points: text typed on a Mac or Unix has the left ones; the handset shows the same glyph.
 */
const JIS_VARIANTS: Record<string, string> = {
  '\u301C': '\uFF5E', // 〜 wave dash
  '\u2016': '\u2225', // ‖ double vertical line
  '\u2212': '\uFF0D', // − minus sign
  '\u2014': '\u2015', // — em dash
  '\u00A2': '\uFFE0', // ¢
  '\u00A3': '\uFFE1', // £
  '\u00AC': '\uFFE2', // ¬
};

// Per BMP code point: 0 not tried yet, 1 Shift_JIS holds it, 2 it does not. Nothing beyond the BMP is in Shift_JIS.
const sjisFit = new Uint8Array(0x10000);

function inShiftJis(cp: number): boolean {
  if (cp < 0x80) return true;
  if (cp > 0xffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
  if (sjisFit[cp] === 0) {
    // iconv-lite writes '?' for what the table lacks; a best fit (¥ → 0x5C) is what handsets show anyway.
    const bytes = iconv.encode(String.fromCharCode(cp), 'shift_jis');
    sjisFit[cp] = bytes.length === 1 && bytes[0] === 0x3f ? 2 : 1;
  }
  return sjisFit[cp] === 1;
}

/** The text as Shift_JIS can carry it: JIS variants mapped, everything else it lacks as 〓. */
function toShiftJisRepertoire(text: string): string {
  let out = '';
  for (const ch of text) {
    const c = JIS_VARIANTS[ch] ?? ch;
    out += inShiftJis(c.codePointAt(0)!) ? c : GETA;
  }
  return out;
}

/** Where a DoCoMo emoji may be: the private use range DoCoMo's 252 pictograms sit in. */
const DOCOMO_RANGE = /[\uE63E-\uE757]/;

/**
 * A page's bytes. For Shift_JIS, a character it cannot hold becomes 〓, never a silent '?' or
 * nothing; a DoCoMo emoji (U+E63E–U+E757, see emoji.ts) becomes its two bytes in rows F8–F9,
 * which iconv-lite does not write (it writes '?'; it decodes row F8 and F940 only).
 */
export function encodeBody(text: string, charset: Charset): Buffer {
  if (charset === 'utf-8') return Buffer.from(text, 'utf8');
  if (!DOCOMO_RANGE.test(text)) return iconv.encode(toShiftJisRepertoire(text), 'shift_jis');
  const parts: Buffer[] = [];
  let run = '';
  for (const ch of text) {
    const emoji = docomoShiftJis(ch.codePointAt(0)!);
    if (!emoji) {
      run += ch;
      continue;
    }
    if (run) parts.push(iconv.encode(toShiftJisRepertoire(run), 'shift_jis'));
    parts.push(Buffer.from(emoji));
    run = '';
  }
  if (run) parts.push(iconv.encode(toShiftJisRepertoire(run), 'shift_jis'));
  return Buffer.concat(parts);
}

const AMPERSAND = 0x26;
const EQUALS = 0x3d;
const PLUS = 0x2b;
const PERCENT = 0x25;

/**
 * Parses application/x-www-form-urlencoded bytes (a POST body or a query string) whose
 * percent-escapes are bytes in `charset`. '+' is a space; a later value of a repeated name wins.
 * Shift_JIS trail bytes never take the values of '&', '=', '%' or '+', so splitting bytes is safe.
 */
export function decodeForm(raw: Buffer, charset: Charset): Record<string, string> {
  const fields = new Map<string, string>();
  for (const pair of split(raw, AMPERSAND)) {
    if (pair.length === 0) continue;
    const eq = pair.indexOf(EQUALS);
    const name = eq < 0 ? pair : pair.subarray(0, eq);
    const value = eq < 0 ? Buffer.alloc(0) : pair.subarray(eq + 1);
    fields.set(decodeComponent(name, charset), decodeComponent(value, charset));
  }
  // fromEntries defines own properties, so a field named __proto__ is just a field.
  return Object.fromEntries(fields);
}

function split(bytes: Buffer, separator: number): Buffer[] {
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = bytes.indexOf(separator); i >= 0; i = bytes.indexOf(separator, start)) {
    parts.push(bytes.subarray(start, i));
    start = i + 1;
  }
  parts.push(bytes.subarray(start));
  return parts;
}

function decodeComponent(bytes: Buffer, charset: Charset): string {
  const out = Buffer.alloc(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    const hex = b === PERCENT ? hexByte(bytes[i + 1], bytes[i + 2]) : -1;
    if (hex >= 0) {
      out[n++] = hex;
      i += 2;
    } else {
      out[n++] = b === PLUS ? 0x20 : b;
    }
  }
  return charset === 'shift_jis' ? decodeShiftJis(out.subarray(0, n)) : iconv.decode(out.subarray(0, n), charset);
}

/** Is `b` the first of two bytes in Shift_JIS (cp932)? */
const isLeadByte = (b: number) => (b >= 0x81 && b <= 0x9f) || (b >= 0xe0 && b <= 0xfc);
/** Can `b` be the second? (An invalid one starts over as a character of its own.) */
const isTrailByte = (b: number | undefined) => b !== undefined && b >= 0x40 && b <= 0xfc && b !== 0x7f;

/**
 * Shift_JIS text as an i-mode handset posts it, emoji included. iconv-lite knows only the first
 * DoCoMo emoji of row F9 and would read the others as U+FFFD plus a stray ASCII character from
 * the trail byte; here every pair in rows F8–F9 is read as its DoCoMo character (or one U+FFFD
 * when DoCoMo assigned none), and the rest is left to iconv-lite.
 */
function decodeShiftJis(bytes: Buffer): string {
  let text = '';
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    const lead = bytes[i];
    const trail = bytes[i + 1];
    if (!isLeadByte(lead) || !isTrailByte(trail)) continue;
    if (lead === 0xf8 || lead === 0xf9) {
      const cp = docomoFromShiftJis(lead, trail);
      text += iconv.decode(bytes.subarray(start, i), 'shift_jis') + (cp === undefined ? '\uFFFD' : String.fromCharCode(cp));
      start = i + 2;
    }
    i++; // the trail byte may look like a lead byte (0x88 0xF9 is 飲): it is not one
  }
  return text + iconv.decode(bytes.subarray(start), 'shift_jis');
}

function hexByte(hi: number | undefined, lo: number | undefined): number {
  const h = hexDigit(hi);
  const l = hexDigit(lo);
  return h < 0 || l < 0 ? -1 : h * 16 + l;
}

function hexDigit(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/** Labels for the two charsets we speak: the WHATWG Encoding labels, and cp932. */
const LABELS: Record<string, Charset> = {
  'utf-8': 'utf-8',
  utf8: 'utf-8',
  'unicode-1-1-utf-8': 'utf-8',
  shift_jis: 'shift_jis',
  'shift-jis': 'shift_jis',
  sjis: 'shift_jis',
  'x-sjis': 'shift_jis',
  'windows-31j': 'shift_jis',
  ms_kanji: 'shift_jis',
  ms932: 'shift_jis',
  csshiftjis: 'shift_jis',
  cp932: 'shift_jis',
};

/**
 * The charset named by a Content-Type (its `charset=` parameter) or preferred by an
 * Accept-Charset list (highest q among the labels we know); utf-8 when neither says.
 */
export function charsetOf(header: string | undefined): Charset {
  if (!header) return 'utf-8';
  const param = /(?:^|;)\s*charset\s*=\s*"?([^";,\s]+)/i.exec(header);
  if (param) return LABELS[param[1].toLowerCase()] ?? 'utf-8';
  let best: Charset = 'utf-8';
  let bestQ = 0;
  for (const item of header.split(',')) {
    const [label, ...params] = item.split(';').map((s) => s.trim().toLowerCase());
    const known = LABELS[label];
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (known && q > bestQ) {
      best = known;
      bestQ = q;
    }
  }
  return best;
}
