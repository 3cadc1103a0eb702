// WBXML 1.1–1.3 decoder for WML 1.1, 1.2 and 1.3 decks, and the deck back as WML text.
// Pure: bytes in, a tree and a string out. Every malformed input is a WbxmlError naming the byte
// where it went wrong; the work is linear in the input, and what a string table may multiply is
// bounded (maxOutput), so no input makes it hang or allocate much.
import {
  CHARSET_ISO_8859_1,
  CHARSET_US_ASCII,
  CHARSET_UTF8,
  GLOBAL,
  WML_DOCUMENTS,
  isGlobal,
  wmlTables,
  wmlVersionOf,
  wmlVersionOfFpi,
  type Conversion,
  type WmlTables,
} from './wml-tokens.ts';
import { WbxmlError, WbxmlReader, hex } from './reader.ts';
import { XML_NAME, isXmlChar } from './xml.ts';

export { WbxmlError };

/** A WML variable reference: `$(name)` (noesc), `$(name:escape)`, `$(name:unesc)`. */
export interface WmlVariable {
  variable: string;
  conversion: Conversion;
}

/** Text and variable references, adjacent text merged into one string, no empty strings. */
export type WmlValue = Array<string | WmlVariable>;

export interface WmlAttribute {
  name: string;
  value: WmlValue;
}

export interface WmlElement {
  name: string;
  attributes: WmlAttribute[];
  children: Array<WmlElement | string | WmlVariable>;
}

export interface WbxmlDocument {
  /** The WBXML version byte: 0x01 (1.1), 0x02 (1.2), 0x03 (1.3). */
  version: number;
  /** The WML public identifier token: 0x04 (WML 1.1), 0x09 (1.2), 0x0A (1.3). */
  publicId: number;
  /** IANA MIBenum of the strings' charset (106 for UTF-8). */
  charset: number;
  root: WmlElement;
}

export interface DecodeOptions {
  /** Deepest element nesting accepted (default 256). */
  maxDepth?: number;
  /** Most characters of text, names and values the document may expand to (default 1,048,576). */
  maxOutput?: number;
}

/** The tokens of strings, entities and variables. */
const PIECES = new Set<number>([GLOBAL.STR_I, GLOBAL.STR_T, GLOBAL.ENTITY, GLOBAL.EXT_I_0, GLOBAL.EXT_I_1, GLOBAL.EXT_I_2, GLOBAL.EXT_T_0, GLOBAL.EXT_T_1, GLOBAL.EXT_T_2]);


const CONVERSION_OF: Record<number, Conversion> = {
  [GLOBAL.EXT_I_0]: 'escape',
  [GLOBAL.EXT_I_1]: 'unesc',
  [GLOBAL.EXT_I_2]: 'noesc',
  [GLOBAL.EXT_T_0]: 'escape',
  [GLOBAL.EXT_T_1]: 'unesc',
  [GLOBAL.EXT_T_2]: 'noesc',
};


const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Decodes a WBXML-encoded WML deck. Throws WbxmlError, and nothing else, on malformed input. */
export function decodeWbxml(bytes: Uint8Array, options: DecodeOptions = {}): WbxmlDocument {
  if (!(bytes instanceof Uint8Array)) throw new WbxmlError('input is not bytes', 0);
  return new Decoder(bytes, options.maxDepth ?? 256, options.maxOutput ?? 1 << 20).document();
}

class Decoder extends WbxmlReader {
  private readonly maxDepth: number;
  private table: Uint8Array = new Uint8Array(0);
  private tableStart = 0;
  /** For each offset of the string table, where the string starting there ends (its NUL), or −1. */
  private tableEnds: Int32Array = new Int32Array(0);
  private readonly tableStrings = new Map<number, string>();
  private tables!: WmlTables;

  constructor(bytes: Uint8Array, maxDepth: number, maxOutput: number) {
    super(bytes, maxOutput);
    this.maxDepth = maxDepth;
  }

  /** An inline string (termstr): the bytes up to the next NUL. */
  private inline(what: string): string {
    const start = this.pos;
    const end = this.b.indexOf(0, start);
    if (end < 0) this.fail(`unterminated ${what}`, start);
    this.count(end - start, start);
    this.pos = end + 1;
    return this.decodeString(this.b.subarray(start, end), start);
  }

  /** The string that starts at an offset of the string table (STR_T, EXT_T, LITERAL, a public id). */
  private tableString(what: string): string {
    const at = this.pos;
    const index = this.mb(`${what} offset`);
    if (index >= this.table.length) this.fail(`${what} offset ${index} is outside the ${this.table.length}-byte string table`, at);
    const end = this.tableEnds[index];
    if (end < 0) this.fail(`the string at table offset ${index} is not terminated`, at);
    this.count(end - index, at);
    let s = this.tableStrings.get(index);
    if (s === undefined) {
      s = this.decodeString(this.table.subarray(index, end), this.tableStart + index);
      this.tableStrings.set(index, s);
    }
    return s;
  }

  document(): WbxmlDocument {
    const version = this.byte('the WBXML version');
    if (version === 0x00) this.fail('WBXML 1.0 (no charset field) is not supported', 0);
    if (version > 0x03) this.fail(`unknown WBXML version ${hex(version)}`, 0);
    const publicAt = this.pos;
    let publicId = this.mb('the public identifier');
    let publicIndex = -1;
    if (publicId === 0) publicIndex = this.pos;
    if (publicId === 0) this.mb('the public identifier string offset');
    const charsetAt = this.pos;
    const charset = this.mb('the charset');
    if (![CHARSET_UTF8, CHARSET_US_ASCII, CHARSET_ISO_8859_1].includes(charset)) this.fail(`unsupported charset (MIBenum ${charset}): UTF-8, US-ASCII or ISO-8859-1 only`, charsetAt);
    this.charset = charset;
    const lengthAt = this.pos;
    const length = this.mb('the string table length');
    if (length > this.b.length - this.pos) this.fail(`the string table claims ${length} bytes, only ${this.b.length - this.pos} follow`, lengthAt);
    this.tableStart = this.pos;
    this.table = this.b.subarray(this.pos, this.pos + length);
    this.tableEnds = new Int32Array(length);
    for (let i = length - 1, end = -1; i >= 0; i--) {
      if (this.table[i] === 0) end = i;
      this.tableEnds[i] = end;
    }
    this.pos += length;
    if (publicIndex >= 0) {
      const bodyAt = this.pos;
      this.pos = publicIndex;
      const fpi = this.tableString('the public identifier');
      this.pos = bodyAt;
      const v = wmlVersionOfFpi(fpi);
      if (!v) this.fail(`not a WML 1.1–1.3 document: public identifier "${fpi}"`, publicAt);
      publicId = WML_DOCUMENTS[v].publicId;
    }
    const wml = wmlVersionOf(publicId);
    if (!wml) this.fail(`not a WML 1.1–1.3 document: public identifier ${hex(publicId)}`, publicAt);
    this.tables = wmlTables(wml);
    const root = this.body();
    if (this.pos < this.b.length) {
      this.fail(this.b[this.pos] === GLOBAL.END ? 'END without an open element' : `${this.b.length - this.pos} trailing bytes after the root element`);
    }
    return { version, publicId, charset, root };
  }

  private switchPage(): void {
    const page = this.byte('a code page');
    if (page !== 0) this.fail(`code page ${page} is not defined in WML`, this.pos - 1);
  }

  /** The root element and everything in it, without recursion. */
  private body(): WmlElement {
    let first = this.byte('the root element');
    while (first === GLOBAL.SWITCH_PAGE) {
      this.switchPage();
      first = this.byte('the root element');
    }
    if (isGlobal(first) && (first & 0x3f) !== GLOBAL.LITERAL) this.fail(`expected the root element, found ${hex(first)}`, this.pos - 1);
    const opened = this.element(first);
    if (!opened.content) return opened.element;
    const stack: WmlElement[] = [opened.element];
    while (stack.length) {
      const top = stack[stack.length - 1];
      const at = this.pos;
      const t = this.byte(`content or the END of <${top.name}>`);
      if (PIECES.has(t)) {
        this.piece(top.children, t, at);
        continue;
      }
      switch (t) {
        case GLOBAL.SWITCH_PAGE:
          this.switchPage();
          break;
        case GLOBAL.END:
          stack.pop();
          break;
        case GLOBAL.PI:
          this.fail('processing instructions are not supported in WML', at);
        case GLOBAL.OPAQUE:
          this.fail('OPAQUE data has no meaning in WML', at);
        case GLOBAL.EXT_0:
        case GLOBAL.EXT_1:
        case GLOBAL.EXT_2:
          this.fail(`extension token ${hex(t)} has no meaning in WML`, at);
        default: {
          // The root is at depth 1; this child is at the depth of the stack plus one.
          if (stack.length >= this.maxDepth) this.fail(`elements nested deeper than ${this.maxDepth}`, at);
          const child = this.element(t);
          top.children.push(child.element);
          if (child.content) stack.push(child.element);
        }
      }
    }
    return opened.element;
  }

  /** A string, an entity or a variable (a token in PIECES): what text content and attribute values are both made of. */
  private piece(into: WmlElement['children'] | WmlValue, t: number, at: number): void {
    if (t === GLOBAL.STR_I) this.text(into, this.inline('inline string'));
    else if (t === GLOBAL.STR_T) this.text(into, this.tableString('STR_T'));
    else if (t === GLOBAL.ENTITY) this.text(into, this.entity(at));
    else into.push(this.variable(t, at));
  }

  private text(into: WmlElement['children'] | WmlValue, s: string): void {
    if (!s) return;
    const last = into.length - 1;
    if (last >= 0 && typeof into[last] === 'string') into[last] = (into[last] as string) + s;
    else into.push(s);
  }

  private entity(at: number): string {
    const cp = this.mb('an entity');
    if (!isXmlChar(cp)) this.fail(`entity ${cp} is not a character XML allows`, at);
    this.count(1, at);
    return String.fromCodePoint(cp);
  }

  private variable(t: number, at: number): WmlVariable {
    const name = t < 0x80 ? this.inline('variable name') : this.tableString('variable name');
    if (!VARIABLE_NAME.test(name)) this.fail(`"${name}" is not a WML variable name`, at);
    return { variable: name, conversion: CONVERSION_OF[t] };
  }

  /** A start tag and its attributes; says whether content follows. */
  private element(t: number): { element: WmlElement; content: boolean } {
    const at = this.pos - 1;
    const id = t & 0x3f;
    let name: string;
    if (id === GLOBAL.LITERAL) {
      name = this.tableString('literal tag name');
      if (!XML_NAME.test(name)) this.fail(`literal tag name "${name}" is not an XML name`, at);
    } else {
      const known = this.tables.tagByToken.get(id);
      if (known === undefined) this.fail(`unknown tag token ${hex(id)} in WML ${this.tables.version}`, at);
      name = known;
    }
    this.count(name.length, at);
    const element: WmlElement = { name, attributes: [], children: [] };
    if (t & 0x80) this.attributes(element);
    return { element, content: (t & 0x40) !== 0 };
  }

  private attributes(element: WmlElement): void {
    let current: WmlAttribute | undefined;
    const finish = (at: number) => {
      if (current && element.attributes.some((a) => a.name === current!.name)) this.fail(`attribute "${current.name}" repeated in <${element.name}>`, at);
      if (current) element.attributes.push(current);
    };
    for (;;) {
      const at = this.pos;
      const t = this.byte(`an attribute or the END of <${element.name}>'s attributes`);
      if (t === GLOBAL.END) {
        if (!current) this.fail(`<${element.name}> says it has attributes, but has none`, at);
        finish(at);
        return;
      }
      if (t === GLOBAL.SWITCH_PAGE) {
        this.switchPage();
        continue;
      }
      if (t === GLOBAL.LITERAL || (!isGlobal(t) && t < 0x80)) {
        let name: string;
        let prefix = '';
        if (t === GLOBAL.LITERAL) {
          name = this.tableString('literal attribute name');
          if (!XML_NAME.test(name)) this.fail(`literal attribute name "${name}" is not an XML name`, at);
        } else {
          const start = this.tables.startByToken.get(t);
          if (!start) this.fail(`unknown attribute start token ${hex(t)} in WML ${this.tables.version}`, at);
          name = start.name;
          prefix = start.value;
        }
        finish(at);
        this.count(name.length + prefix.length, at);
        current = { name, value: prefix ? [prefix] : [] };
        continue;
      }
      if (!current) this.fail(`an attribute value (${hex(t)}) before any attribute start in <${element.name}>`, at);
      if (PIECES.has(t)) {
        this.piece(current.value, t, at);
        continue;
      }
      if (isGlobal(t)) this.fail(`global token ${hex(t)} is not allowed in an attribute value`, at);
      const value = this.tables.valueByToken.get(t);
      if (value === undefined) this.fail(`unknown attribute value token ${hex(t)} in WML ${this.tables.version}`, at);
      this.count(value.length, at);
      this.text(current.value, value);
    }
  }
}

/* ---------------------------------------------------------------- back to text ---------- */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '$': '$$', '\r': '&#13;', '\n': '&#10;', '\t': '&#9;' };

/** Text as WML writes it: the five XML specials escaped as our templates do, `$` doubled, CR kept. */
function escapeText(s: string): string {
  return s.replace(/[&<>"'$\r]/g, (c) => ESCAPES[c]);
}

/** An attribute value: as text, and line breaks and tabs as references so they survive §3.3.3 normalisation. */
function escapeAttribute(s: string): string {
  return s.replace(/[&<>"'$\r\n\t]/g, (c) => ESCAPES[c]);
}

function variableText(v: WmlVariable): string {
  return v.conversion === 'noesc' ? `$(${v.variable})` : `$(${v.variable}:${v.conversion})`;
}

function valueText(value: WmlValue): string {
  return value.map((p) => (typeof p === 'string' ? escapeAttribute(p) : variableText(p))).join('');
}

function elementText(e: WmlElement): string {
  const attributes = e.attributes.map((a) => ` ${a.name}="${valueText(a.value)}"`).join('');
  if (!e.children.length) return `<${e.name}${attributes}/>`;
  const children = e.children.map((c) => (typeof c === 'string' ? escapeText(c) : 'variable' in c ? variableText(c) : elementText(c))).join('');
  return `<${e.name}${attributes}>${children}</${e.name}>`;
}

/**
 * The deck as WML text, with the XML declaration and the DOCTYPE of its WML version, in the form
 * our templates write: variables as `$(name)`, `$(name:escape)`, `$(name:unesc)`; a `$` of text
 * as `$$`; `& < > " '` as `&amp; &lt; &gt; &quot; &#39;`.
 */
export function toWmlXml(doc: WbxmlDocument): string {
  const version = wmlVersionOf(doc.publicId);
  if (!version) throw new WbxmlError(`not a WML 1.1–1.3 public identifier: ${hex(doc.publicId)}`, 0);
  const { fpi, systemId } = WML_DOCUMENTS[version];
  return `<?xml version="1.0"?>\n<!DOCTYPE ${doc.root.name} PUBLIC "${fpi}" "${systemId}">\n${elementText(doc.root)}`;
}
