// WBXML for tag vocabularies without attributes (SyncML, MetInf, DevInf): element trees in and
// out, the code pages and their namespaces taken from a Vocabulary (code-pages.ts).
//
// Interface:
//   interface TagElement { name, namespace, children: Array<TagElement | string> }
//   encodeTags(root, vocabulary, options) → Buffer
//       WBXML 1.2, the vocabulary's public identifier token, UTF-8, each string that repeats in
//       the string table when that saves bytes (options.stringTable false: all inline), a
//       SWITCH_PAGE only where the page changes. options.opaque(e, parent): bytes to write as the whole
//       content of e (one OPAQUE), or undefined to write its children.
//   decodeTags(bytes, vocabularies, options) → { vocabulary, version, root }
//       WBXML 1.1–1.3, public identifier as a token or a string, UTF-8 / US-ASCII / ISO-8859-1,
//       STR_I, STR_T, ENTITY; options.opaque(parent, bytes, at) turns OPAQUE content into a child.
//       Every malformed input is a WbxmlError naming the byte; depth and output are bounded.
import { vocabularyIndex, vocabularyOfFpi, vocabularyOfPublicId, type Vocabulary } from './code-pages.ts';
import { WbxmlError, WbxmlReader, hex } from './reader.ts';
import { Writer, mbUint32 } from './encode.ts';
import { CHARSET_ISO_8859_1, CHARSET_US_ASCII, CHARSET_UTF8, GLOBAL, TAG_ATTRIBUTES, TAG_CONTENT } from './wml-tokens.ts';
import { isXmlChar } from './xml.ts';

export interface TagElement {
  name: string;
  namespace: string;
  children: Array<TagElement | string>;
}

export interface EncodeTagsOptions {
  opaque?(e: TagElement, parent: TagElement | undefined): Uint8Array | undefined;
  /** Set false to write every string inline, as SyncEvolution does (default: repeated strings in the table where it saves bytes). */
  stringTable?: boolean;
}

export interface DecodeTagsOptions {
  opaque?(parent: TagElement, bytes: Uint8Array, at: number): TagElement | string;
  /** Deepest element nesting accepted (default 64). */
  maxDepth?: number;
  /** Most characters and opaque bytes the document may expand to (default 16 MiB). */
  maxOutput?: number;
}

const WBXML_1_2 = 0x02;

interface StringTable {
  bytes: Buffer;
  /** Writes a string: STR_T and its offset, or STR_I and the string. */
  write(s: string, out: Writer): void;
}

/**
 * The whole strings that repeat, where storing them once saves bytes: a string of n bytes used c
 * times costs c·(n + 2) inline, n + 1 + c·(1 + offset bytes) from the table. One pass, in the
 * order strings first occur, so a message of thousands of strings costs no more than reading it.
 * (WML's table also shares prefixes, at a cost that grows with the cube of the candidates.)
 */
function stringTable(runs: readonly string[], use: boolean): StringTable {
  const counts = new Map<string, number>();
  if (use) for (const r of runs) counts.set(r, (counts.get(r) ?? 0) + 1);
  const index = new Map<string, number>();
  const parts: Buffer[] = [];
  let size = 0;
  for (const [s, c] of counts) {
    const n = Buffer.byteLength(s, 'utf8');
    if (c < 2 || n + 1 + c * (1 + mbUint32(size).length) >= c * (n + 2)) continue;
    index.set(s, size);
    parts.push(Buffer.from(`${s}\0`, 'utf8'));
    size += n + 1;
  }
  return {
    bytes: Buffer.concat(parts),
    write: (s, out) => {
      const at = index.get(s);
      if (at !== undefined) return out.bytes([GLOBAL.STR_T, ...mbUint32(at)]);
      out.bytes([GLOBAL.STR_I]);
      out.bytes(Buffer.from(s, 'utf8'));
      out.bytes([0]);
    },
  };
}

export function encodeTags(root: TagElement, vocabulary: Vocabulary, options: EncodeTagsOptions = {}): Buffer {
  const index = vocabularyIndex(vocabulary);
  // First what each element's content is: OPAQUE bytes, or its children, whose strings the table may hold.
  const opaque = new Map<TagElement, Uint8Array>();
  const runs: string[] = [];
  const survey = (e: TagElement, parent?: TagElement) => {
    const bytes = options.opaque?.(e, parent);
    if (bytes !== undefined) opaque.set(e, bytes);
    else
      for (const c of e.children) {
        if (typeof c === 'string') runs.push(c);
        else survey(c, e);
      }
  };
  survey(root);
  const table = stringTable(runs, options.stringTable !== false);
  const out = new Writer();
  out.bytes([WBXML_1_2, ...mbUint32(vocabulary.publicId), ...mbUint32(CHARSET_UTF8), ...mbUint32(table.bytes.length)]);
  out.bytes(table.bytes);
  let page = 0;
  const write = (e: TagElement) => {
    const t = index.token(e.namespace, e.name);
    if (!t) throw new Error(`WBXML: <${e.name}> in namespace "${e.namespace}" is not in ${vocabulary.name}`);
    if (t.page !== page) {
      out.bytes([GLOBAL.SWITCH_PAGE, t.page]);
      page = t.page;
    }
    const bytes = opaque.get(e);
    const content = bytes !== undefined ? bytes.length > 0 : e.children.length > 0;
    out.bytes([t.token | (content ? TAG_CONTENT : 0)]);
    if (!content) return;
    if (bytes) {
      out.bytes([GLOBAL.OPAQUE, ...mbUint32(bytes.length)]);
      out.bytes(bytes);
    } else
      for (const c of e.children) {
        if (typeof c === 'string') table.write(c, out);
        else write(c);
      }
    out.bytes([GLOBAL.END]);
  };
  write(root);
  return out.result();
}

export function decodeTags(bytes: Uint8Array, vocabularies: readonly Vocabulary[], options: DecodeTagsOptions = {}): { vocabulary: Vocabulary; version: number; root: TagElement } {
  if (!(bytes instanceof Uint8Array)) throw new WbxmlError('input is not bytes', 0);
  return new TagDecoder(bytes, vocabularies, options).document();
}

class TagDecoder extends WbxmlReader {
  private table: Uint8Array = new Uint8Array(0);
  private tableStart = 0;
  private page = 0;
  private readonly vocabularies: readonly Vocabulary[];
  private readonly options: DecodeTagsOptions;

  constructor(bytes: Uint8Array, vocabularies: readonly Vocabulary[], options: DecodeTagsOptions) {
    super(bytes, options.maxOutput ?? 16 << 20);
    this.vocabularies = vocabularies;
    this.options = options;
  }

  /** A NUL-terminated string of `from` at `start`; `base` places `from` in the input for errors. */
  private termstr(from: Uint8Array, start: number, base: number, what: string): { text: string; end: number } {
    const end = from.indexOf(0, start);
    if (end < 0) this.fail(`unterminated ${what}`, base + start);
    this.count(end - start, base + start);
    return { text: this.decodeString(from.subarray(start, end), base + start), end };
  }

  private inline(): string {
    const { text, end } = this.termstr(this.b, this.pos, 0, 'inline string');
    this.pos = end + 1;
    return text;
  }

  private tableString(what: string): string {
    const at = this.pos;
    const offset = this.mb(`${what} offset`);
    if (offset >= this.table.length) this.fail(`${what} offset ${offset} is outside the ${this.table.length}-byte string table`, at);
    return this.termstr(this.table, offset, this.tableStart, what).text;
  }

  document(): { vocabulary: Vocabulary; version: number; root: TagElement } {
    const version = this.byte('the WBXML version');
    if (version === 0x00 || version > 0x03) this.fail(`unsupported WBXML version ${hex(version)}: 1.1–1.3`, 0);
    const publicAt = this.pos;
    const publicId = this.mb('the public identifier');
    const fpiAt = publicId === 0 ? this.pos : -1;
    if (publicId === 0) this.mb('the public identifier string offset');
    const charsetAt = this.pos;
    this.charset = this.mb('the charset');
    if (![CHARSET_UTF8, CHARSET_US_ASCII, CHARSET_ISO_8859_1].includes(this.charset)) this.fail(`unsupported charset (MIBenum ${this.charset}): UTF-8, US-ASCII or ISO-8859-1 only`, charsetAt);
    const lengthAt = this.pos;
    const length = this.mb('the string table length');
    if (length > this.b.length - this.pos) this.fail(`the string table claims ${length} bytes, only ${this.b.length - this.pos} follow`, lengthAt);
    this.tableStart = this.pos;
    this.table = this.b.subarray(this.pos, this.pos + length);
    this.pos += length;
    let vocabulary: Vocabulary | undefined;
    if (fpiAt >= 0) {
      const bodyAt = this.pos;
      this.pos = fpiAt;
      const fpi = this.tableString('the public identifier');
      this.pos = bodyAt;
      vocabulary = vocabularyOfFpi(fpi, this.vocabularies);
      if (!vocabulary) this.fail(`public identifier "${fpi}" is not one of ${this.vocabularies.map((v) => v.name).join(', ')}`, publicAt);
    } else {
      vocabulary = vocabularyOfPublicId(publicId, this.vocabularies);
      if (!vocabulary) this.fail(`public identifier ${hex(publicId)} is not one of ${this.vocabularies.map((v) => v.name).join(', ')}`, publicAt);
    }
    const root = this.body(vocabulary);
    if (this.pos < this.b.length) this.fail(this.b[this.pos] === GLOBAL.END ? 'END without an open element' : `${this.b.length - this.pos} trailing bytes after the root element`);
    return { vocabulary, version, root };
  }

  private element(t: number, vocabulary: Vocabulary): { element: TagElement; content: boolean } {
    const at = this.pos - 1;
    if (t & TAG_ATTRIBUTES) this.fail(`attributes on ${hex(t)}: ${vocabulary.name} has none`, at);
    const index = vocabularyIndex(vocabulary);
    const name = index.tag(this.page, t & 0x3f);
    if (name === undefined) this.fail(`unknown tag ${hex(t & 0x3f)} on code page ${this.page} of ${vocabulary.name}`, at);
    this.count(name.length, at);
    return { element: { name, namespace: index.namespaceOf(this.page)!, children: [] }, content: (t & TAG_CONTENT) !== 0 };
  }

  private switchPage(vocabulary: Vocabulary): void {
    const at = this.pos - 1;
    const page = this.byte('a code page');
    if (!vocabularyIndex(vocabulary).namespaceOf(page)) this.fail(`code page ${page} is not defined in ${vocabulary.name}`, at);
    this.page = page;
  }

  private body(vocabulary: Vocabulary): TagElement {
    let first = this.byte('the root element');
    while (first === GLOBAL.SWITCH_PAGE) {
      this.switchPage(vocabulary);
      first = this.byte('the root element');
    }
    const opened = this.element(first, vocabulary);
    if (!opened.content) return opened.element;
    const stack = [opened.element];
    const maxDepth = this.options.maxDepth ?? 64;
    while (stack.length) {
      const top = stack[stack.length - 1];
      const at = this.pos;
      const t = this.byte(`content or the END of <${top.name}>`);
      if (t === GLOBAL.END) stack.pop();
      else if (t === GLOBAL.SWITCH_PAGE) this.switchPage(vocabulary);
      else if (t === GLOBAL.STR_I) this.text(top, this.inline());
      else if (t === GLOBAL.STR_T) this.text(top, this.tableString('STR_T'));
      else if (t === GLOBAL.ENTITY) {
        const cp = this.mb('an entity');
        if (!isXmlChar(cp)) this.fail(`entity ${cp} is not a character XML allows`, at);
        this.text(top, String.fromCodePoint(cp));
      } else if (t === GLOBAL.OPAQUE) {
        const length = this.mb('the OPAQUE length');
        if (length > this.b.length - this.pos) this.fail(`OPAQUE claims ${length} bytes, only ${this.b.length - this.pos} follow`, at);
        this.count(length, at);
        const data = this.b.subarray(this.pos, this.pos + length);
        this.pos += length;
        const child = this.options.opaque ? this.options.opaque(top, data, at) : this.decodeString(data, at + 1);
        if (typeof child === 'string') this.text(top, child);
        else top.children.push(child);
      } else if ((t & 0x3f) <= 0x04) {
        // The other global tokens: LITERAL*, EXT*, PI.
        this.fail(`token ${hex(t)} has no meaning in ${vocabulary.name}`, at);
      } else {
        if (stack.length >= maxDepth) this.fail(`elements nested deeper than ${maxDepth}`, at);
        const child = this.element(t, vocabulary);
        top.children.push(child.element);
        if (child.content) stack.push(child.element);
      }
    }
    return opened.element;
  }

  /** Adjacent strings are one text. */
  private text(into: TagElement, s: string): void {
    if (!s) return;
    const last = into.children.length - 1;
    if (last >= 0 && typeof into.children[last] === 'string') into.children[last] += s;
    else into.children.push(s);
  }
}
