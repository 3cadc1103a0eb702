// Item data as bytes carried in text. A large object comes in chunks cut at any byte (the Synthesis
// engine cuts a vCard in the middle of a UTF-8 character), so a chunk may end or start inside a
// character. Bytes that are not UTF-8 where they stand are kept in the text as the lone surrogates
// U+DC80–U+DCFF, which no decoded UTF-8 holds, and become the same bytes again when the chunks are
// joined; only the whole item is read as text.

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The length of the UTF-8 character starting at `i`, or 0 when the bytes there are not one. */
function charLength(b: Uint8Array, i: number): number {
  const lead = b[i];
  if (lead < 0x80) return 1;
  const [n, min, max] = lead >= 0xc2 && lead <= 0xdf ? [2, 0x80, 0xbf] : lead === 0xe0 ? [3, 0xa0, 0xbf] : lead === 0xed ? [3, 0x80, 0x9f] : lead >= 0xe1 && lead <= 0xef ? [3, 0x80, 0xbf] : lead === 0xf0 ? [4, 0x90, 0xbf] : lead >= 0xf1 && lead <= 0xf3 ? [4, 0x80, 0xbf] : lead === 0xf4 ? [4, 0x80, 0x8f] : [0, 0, 0];
  if (n === 0 || i + n > b.length || b[i + 1] < min || b[i + 1] > max) return 0;
  for (let k = 2; k < n; k++) if (b[i + k] < 0x80 || b[i + k] > 0xbf) return 0;
  return n;
}

/** UTF-8 text, each byte that is not part of a whole UTF-8 character kept as U+DC80–U+DCFF. */
export function decodeKeepingBytes(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    const out: string[] = [];
    let start = 0;
    for (let i = 0; i < bytes.length; ) {
      const n = charLength(bytes, i);
      if (n > 0) {
        i += n;
        continue;
      }
      out.push(utf8.decode(bytes.subarray(start, i)), String.fromCharCode(0xdc00 + bytes[i]));
      start = ++i;
    }
    out.push(utf8.decode(bytes.subarray(start)));
    return out.join('');
  }
}

/** Whether text holds kept bytes (a lone surrogate U+DC80–U+DCFF). */
export function keepsBytes(text: string): boolean {
  return /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/.test(text);
}

/** The bytes of text from decodeKeepingBytes: UTF-8, and each kept byte as itself. */
export function encodeKeepingBytes(text: string): Buffer {
  if (!keepsBytes(text)) return Buffer.from(text, 'utf8');
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) i++; // a whole pair: part of the text
    else if (c >= 0xdc80 && c <= 0xdcff) {
      parts.push(Buffer.from(text.slice(start, i), 'utf8'), Buffer.of(c - 0xdc00));
      start = i + 1;
    }
  }
  parts.push(Buffer.from(text.slice(start), 'utf8'));
  return Buffer.concat(parts);
}

/** A whole item's text: UTF-8, or, from a phone that sent 8-bit ISO-8859-1, its bytes one for one. */
export function itemText(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  }
}
