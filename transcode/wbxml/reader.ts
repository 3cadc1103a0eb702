// Reading WBXML bytes (WAP-192): what every decoder needs whatever its vocabulary.
//
// Interface:
//   WbxmlError                    malformed input, with the offset of the byte where it went wrong
//   class WbxmlReader             base of the WML and the tag decoders: byte(), mb() (mb_u_int32),
//                                 count() (bounds what the document expands to), decodeString()
//                                 (UTF-8 / US-ASCII / ISO-8859-1, only characters XML allows)
import { CHARSET_US_ASCII, CHARSET_UTF8 } from './wml-tokens.ts';
import { NOT_XML_CHAR } from './xml.ts';

export class WbxmlError extends Error {
  /** Offset of the byte where decoding failed. */
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(`WBXML: ${message} (at byte ${offset})`);
    this.name = 'WbxmlError';
    this.offset = offset;
  }
}

export const hex = (b: number) => `0x${b.toString(16).padStart(2, '0').toUpperCase()}`;

export class WbxmlReader {
  protected readonly b: Uint8Array;
  protected pos = 0;
  protected charset = CHARSET_UTF8;
  private output = 0;
  private readonly maxOutput: number;
  private readonly utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

  constructor(bytes: Uint8Array, maxOutput: number) {
    this.b = bytes;
    this.maxOutput = maxOutput;
  }

  protected fail(message: string, at = this.pos): never {
    throw new WbxmlError(message, at);
  }

  protected byte(what: string): number {
    if (this.pos >= this.b.length) this.fail(`truncated: expected ${what}`);
    return this.b[this.pos++];
  }

  /** A multi-byte unsigned integer (WAP-192 §5.1): 7 bits a byte, high bit set on all but the last; 32 bits at most. */
  protected mb(what: string): number {
    const start = this.pos;
    let value = 0;
    for (let n = 0; n < 5; n++) {
      const c = this.byte(what);
      value = value * 128 + (c & 0x7f);
      if ((c & 0x80) === 0) {
        if (value > 0xffffffff) this.fail(`${what} does not fit 32 bits`, start);
        return value;
      }
    }
    this.fail(`${what} is longer than 5 bytes`, start);
  }

  protected count(n: number, at: number): void {
    this.output += n;
    if (this.output > this.maxOutput) this.fail(`the document expands past ${this.maxOutput} characters`, at);
  }

  protected decodeString(bytes: Uint8Array, at: number): string {
    let s: string;
    if (this.charset === CHARSET_UTF8) {
      try {
        s = this.utf8.decode(bytes);
      } catch {
        this.fail('a string is not valid UTF-8', at);
      }
    } else {
      const high = this.charset === CHARSET_US_ASCII ? bytes.findIndex((x) => x > 0x7f) : -1;
      if (high >= 0) this.fail('a byte above 0x7F in a US-ASCII string', at + high);
      // ISO-8859-1 (and US-ASCII): each byte is the code point of the same number.
      s = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
    }
    const bad = NOT_XML_CHAR.exec(s);
    if (bad) this.fail(`a string holds U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}, which XML does not allow`, at);
    return s;
  }
}
