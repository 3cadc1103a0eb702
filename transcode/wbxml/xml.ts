// A small, strict XML parser for the subset our WML decks are written in: an optional XML
// declaration, an optional DOCTYPE without internal subset, comments, one root element with
// attributes (double or single quotes), text, CDATA sections, the five predefined entities and
// numeric character references. Anything else (other entities, processing instructions, an
// internal DTD subset, mismatched tags, characters XML does not allow) is an Error naming the line
// and column. Line ends are normalised to LF and attribute values are normalised (XML 1.0 §2.11, §3.3.3).

export interface XmlElement {
  name: string;
  /** In document order. */
  attributes: Array<{ name: string; value: string }>;
  /** Elements and text; adjacent text (CDATA included) is one string, comments are gone. */
  children: Array<XmlElement | string>;
}

export interface XmlDocument {
  /** The XML declaration's pseudo-attributes, when there is one. */
  declaration: { version: string; encoding?: string; standalone?: string } | null;
  doctype: { name: string; publicId?: string; systemId?: string } | null;
  root: XmlElement;
}

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

// XML 1.0 (5th edition) §2.3 NameStartChar / NameChar.
const NAME_START = ':A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C-\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NAME_CHAR = `${NAME_START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040`;
/** An XML Name (XML 1.0 §2.3). */
export const XML_NAME = new RegExp(`^[${NAME_START}][${NAME_CHAR}]*$`, 'u');
const NAME_AT = new RegExp(`[${NAME_START}][${NAME_CHAR}]*`, 'uy');

/** Characters XML 1.0 does not allow anywhere (§2.2); lone surrogates included. */
export const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/u;

/** True when the code point may stand in an XML 1.0 document (§2.2 Char). */
export function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

/** The same, but for the lone surrogates U+DC80–U+DCFF: bytes kept in text (see transcode/syncml/item-bytes.ts). */
const NOT_XML_CHAR_BUT_KEPT_BYTES = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDC7F\uDD00-\uDFFF]/u;

export interface ParseOptions {
  /** Let through the bytes a SyncML message's item data keeps as U+DC80–U+DCFF. */
  keptBytes?: boolean;
}

/** Parses an XML document of the subset described above. */
export function parseXml(input: string, options: ParseOptions = {}): XmlDocument {
  return new Parser(input, options.keptBytes ? NOT_XML_CHAR_BUT_KEPT_BYTES : NOT_XML_CHAR).document();
}

class Parser {
  private readonly s: string;
  private i = 0;

  constructor(input: string, notAllowed: RegExp) {
    // §2.11: CRLF and lone CR are read as LF. A leading byte order mark is not content.
    this.s = input.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
    const bad = notAllowed.exec(this.s);
    if (bad) {
      this.i = bad.index;
      this.fail(`character U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')} is not allowed in XML`);
    }
  }

  document(): XmlDocument {
    const declaration = this.s.startsWith('<?xml') && /^<\?xml[\s?]/.test(this.s) ? this.declaration() : null;
    this.misc();
    let doctype: XmlDocument['doctype'] = null;
    if (this.s.startsWith('<!DOCTYPE', this.i)) {
      doctype = this.doctype();
      this.misc();
    }
    if (this.s[this.i] !== '<') this.fail(this.i >= this.s.length ? 'the document has no root element' : 'text before the root element');
    const root = this.element();
    this.misc();
    if (this.i < this.s.length) this.fail(this.s[this.i] === '<' ? 'a second root element, or markup after the root element' : 'text after the root element');
    return { declaration, doctype, root };
  }

  private fail(message: string): never {
    const before = this.s.slice(0, this.i);
    const line = before.split('\n').length;
    const column = this.i - before.lastIndexOf('\n');
    throw new Error(`XML: ${message} (line ${line}, column ${column})`);
  }

  private expect(literal: string, what = `"${literal}"`): void {
    if (!this.s.startsWith(literal, this.i)) this.fail(`expected ${what}`);
    this.i += literal.length;
  }

  private space(required = false): void {
    const start = this.i;
    while (this.i < this.s.length && ' \t\n'.includes(this.s[this.i])) this.i++;
    if (required && this.i === start) this.fail('expected white space');
  }

  private name(what: string): string {
    NAME_AT.lastIndex = this.i;
    const m = NAME_AT.exec(this.s);
    if (!m) this.fail(`expected ${what}`);
    this.i += m[0].length;
    return m[0];
  }

  /** Comments and white space between the top-level parts; processing instructions are refused. */
  private misc(): void {
    for (;;) {
      this.space();
      if (this.s.startsWith('<!--', this.i)) this.comment();
      else if (this.s.startsWith('<?', this.i)) this.fail('processing instructions are not supported');
      else return;
    }
  }

  private declaration(): NonNullable<XmlDocument['declaration']> {
    this.i = 5;
    const pseudo: Record<string, string> = {};
    for (;;) {
      const hadSpace = /\s/.test(this.s[this.i] ?? '');
      this.space();
      if (this.s.startsWith('?>', this.i)) break;
      if (!hadSpace) this.fail('expected white space in the XML declaration');
      const name = this.name('a pseudo-attribute of the XML declaration');
      if (!['version', 'encoding', 'standalone'].includes(name) || name in pseudo) this.fail(`unexpected "${name}" in the XML declaration`);
      this.space();
      this.expect('=');
      this.space();
      pseudo[name] = this.quoted();
    }
    this.i += 2;
    if (!pseudo.version) this.fail('the XML declaration has no version');
    if (!/^1\.\d+$/.test(pseudo.version)) this.fail(`unsupported XML version "${pseudo.version}"`);
    return { version: pseudo.version, ...(pseudo.encoding ? { encoding: pseudo.encoding } : {}), ...(pseudo.standalone ? { standalone: pseudo.standalone } : {}) };
  }

  /** A quoted literal without markup or references (declaration and DOCTYPE). */
  private quoted(): string {
    const q = this.s[this.i];
    if (q !== '"' && q !== "'") this.fail('expected a quoted value');
    const end = this.s.indexOf(q, this.i + 1);
    if (end < 0) this.fail('unterminated quoted value');
    const value = this.s.slice(this.i + 1, end);
    this.i = end + 1;
    return value;
  }

  private doctype(): NonNullable<XmlDocument['doctype']> {
    this.i += '<!DOCTYPE'.length;
    this.space(true);
    const name = this.name('the document type name');
    const hadSpace = /\s/.test(this.s[this.i] ?? '');
    this.space();
    let publicId: string | undefined;
    let systemId: string | undefined;
    if (hadSpace && this.s.startsWith('PUBLIC', this.i)) {
      this.i += 6;
      this.space(true);
      publicId = this.quoted();
      if (!/^[ \n\ra-zA-Z0-9\-'()+,./:=?;!*#@$_%]*$/.test(publicId)) this.fail('the public identifier has characters XML does not allow there');
      this.space(true);
      systemId = this.quoted();
      this.space();
    } else if (hadSpace && this.s.startsWith('SYSTEM', this.i)) {
      this.i += 6;
      this.space(true);
      systemId = this.quoted();
      this.space();
    }
    if (this.s[this.i] === '[') this.fail('an internal DTD subset is not supported');
    this.expect('>', 'the end of the DOCTYPE');
    return { name, ...(publicId !== undefined ? { publicId } : {}), ...(systemId !== undefined ? { systemId } : {}) };
  }

  private comment(): void {
    const end = this.s.indexOf('-->', this.i + 4);
    if (end < 0) this.fail('unterminated comment');
    const body = this.s.slice(this.i + 4, end);
    if (body.includes('--') || body.endsWith('-')) this.fail('"--" inside a comment');
    this.i = end + 3;
  }

  /** Element at `<`; iterative over the content so that deep documents cannot overflow the stack. */
  private element(): XmlElement {
    const root = this.startTag();
    if (!root.open) return root.element;
    const stack: XmlElement[] = [root.element];
    let text = '';
    const flush = () => {
      if (text) stack[stack.length - 1].children.push(text);
      text = '';
    };
    while (stack.length) {
      if (this.i >= this.s.length) this.fail(`element <${stack[stack.length - 1].name}> is not closed`);
      const c = this.s[this.i];
      if (c === '<') {
        if (this.s.startsWith('</', this.i)) {
          flush();
          this.i += 2;
          const name = this.name('an element name');
          this.space();
          this.expect('>', `">" to close </${name}`);
          const open = stack.pop()!;
          if (open.name !== name) {
            this.i -= name.length + 1;
            this.fail(`</${name}> closes <${open.name}>`);
          }
        } else if (this.s.startsWith('<!--', this.i)) {
          this.comment();
        } else if (this.s.startsWith('<![CDATA[', this.i)) {
          const end = this.s.indexOf(']]>', this.i + 9);
          if (end < 0) this.fail('unterminated CDATA section');
          text += this.s.slice(this.i + 9, end);
          this.i = end + 3;
        } else if (this.s.startsWith('<?', this.i)) {
          this.fail('processing instructions are not supported');
        } else if (this.s.startsWith('<!', this.i)) {
          this.fail('markup declarations are not allowed in content');
        } else {
          flush();
          const child = this.startTag();
          stack[stack.length - 1].children.push(child.element);
          if (child.open) stack.push(child.element);
        }
      } else if (c === '&') {
        text += this.reference();
      } else {
        const next = this.nextSpecial(this.i);
        const chunk = this.s.slice(this.i, next);
        const cdataEnd = chunk.indexOf(']]>');
        if (cdataEnd >= 0) {
          this.i += cdataEnd;
          this.fail('"]]>" is not allowed in text');
        }
        text += chunk;
        this.i = next;
      }
    }
    return root.element;
  }

  private nextSpecial(from: number): number {
    const lt = this.s.indexOf('<', from);
    const amp = this.s.indexOf('&', from);
    const end = this.s.length;
    return Math.min(lt < 0 ? end : lt, amp < 0 ? end : amp);
  }

  private startTag(): { element: XmlElement; open: boolean } {
    this.expect('<');
    const element: XmlElement = { name: this.name('an element name'), attributes: [], children: [] };
    for (;;) {
      const hadSpace = /\s/.test(this.s[this.i] ?? '');
      this.space();
      if (this.s.startsWith('/>', this.i)) {
        this.i += 2;
        return { element, open: false };
      }
      if (this.s[this.i] === '>') {
        this.i += 1;
        return { element, open: true };
      }
      if (this.i >= this.s.length) this.fail(`unterminated start tag <${element.name}`);
      if (!hadSpace) this.fail(`expected white space before an attribute of <${element.name}>`);
      const name = this.name(`an attribute name or the end of <${element.name}>`);
      if (element.attributes.some((a) => a.name === name)) this.fail(`attribute "${name}" repeated in <${element.name}>`);
      this.space();
      this.expect('=', `"=" after attribute "${name}"`);
      this.space();
      element.attributes.push({ name, value: this.attributeValue() });
    }
  }

  private attributeValue(): string {
    const q = this.s[this.i];
    if (q !== '"' && q !== "'") this.fail('expected a quoted attribute value');
    this.i++;
    let value = '';
    for (;;) {
      if (this.i >= this.s.length) this.fail('unterminated attribute value');
      const c = this.s[this.i];
      if (c === q) {
        this.i++;
        return value;
      }
      if (c === '<') this.fail('"<" in an attribute value');
      if (c === '&') value += this.reference();
      else {
        // §3.3.3: each literal white space character of the value becomes a space.
        value += c === '\n' || c === '\t' ? ' ' : c;
        this.i++;
      }
    }
  }

  /** An entity or character reference at `&`, as the text it stands for. */
  private reference(): string {
    const end = this.s.indexOf(';', this.i);
    const body = end < 0 ? '' : this.s.slice(this.i + 1, end);
    if (end < 0 || end - this.i > 12) this.fail('"&" that starts no reference: write &amp;');
    let text: string;
    if (body.startsWith('#')) {
      const m = /^#(?:x([0-9a-fA-F]+)|([0-9]+))$/.exec(body);
      if (!m) this.fail(`malformed character reference &${body};`);
      const cp = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2], 10);
      if (!isXmlChar(cp)) this.fail(`&${body}; is not a character XML allows`);
      text = String.fromCodePoint(cp);
    } else {
      if (!Object.hasOwn(PREDEFINED, body)) this.fail(`unknown entity &${body};: only &amp; &lt; &gt; &quot; &apos; and numeric references are supported`);
      text = PREDEFINED[body];
    }
    this.i = end + 1;
    return text;
  }
}
