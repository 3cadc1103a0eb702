// Quoted-printable (RFC 2045 §6.7) as vCard 2.1 and vCalendar 1.0 use it for values.
//
// Interface:
//   decodeQuotedPrintable(text) → Buffer   soft line breaks ("=" at a line end) removed, =XX read;
//                                           a stray "=" is kept as it stands (phones write them).
//   encodeQuotedPrintable(bytes, firstLineRoom) → string
//                                           lines of at most 76 characters joined by soft breaks
//                                           ("=\r\n"); the first line has `firstLineRoom` characters
//                                           left after the property name; CR LF as =0D=0A.

const HEX = /^[0-9A-Fa-f]{2}$/;

export function decodeQuotedPrintable(text: string): Buffer {
  // A soft break: "=" at a line end, maybe with blanks a transport padded after it.
  const joined = text.replace(/=[ \t]*(?:\r\n|\n|\r)/g, '');
  const out: number[] = [];
  for (let i = 0; i < joined.length; i++) {
    const c = joined.charCodeAt(i);
    const hex = joined.slice(i + 1, i + 3);
    if (c === 0x3d && HEX.test(hex)) {
      out.push(parseInt(hex, 16));
      i += 2;
    } else if (c < 0x80) {
      out.push(c);
    } else {
      // Not QP at all (an 8-bit character the transport already decoded): its UTF-8 bytes.
      out.push(...Buffer.from(String.fromCodePoint(joined.codePointAt(i)!), 'utf8'));
      if (c >= 0xd800 && c <= 0xdbff) i++;
    }
  }
  return Buffer.from(out);
}

/** Bytes QP writes as themselves: printable ASCII but "=", and blanks not ending a line. */
function literal(b: number): boolean {
  return (b >= 0x21 && b <= 0x7e && b !== 0x3d) || b === 0x20 || b === 0x09;
}

const MAX_LINE = 76;

export function encodeQuotedPrintable(bytes: Uint8Array, firstLineRoom = MAX_LINE): string {
  const pieces: string[] = [];
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    // A blank at the end of the value (or before an encoded line break) would be stripped by readers.
    const last = i === bytes.length - 1 || bytes[i + 1] === 0x0d || bytes[i + 1] === 0x0a;
    pieces.push(literal(b) && !((b === 0x20 || b === 0x09) && last) ? String.fromCharCode(b) : `=${b.toString(16).toUpperCase().padStart(2, '0')}`);
  }
  const lines: string[] = [];
  let line = '';
  let room = Math.max(4, firstLineRoom) - 1; // one for the soft break's "="
  for (const p of pieces) {
    if (line.length + p.length > room) {
      lines.push(line + '=');
      line = '';
      room = MAX_LINE - 1;
    }
    line += p;
  }
  lines.push(line);
  return lines.join('\r\n');
}
