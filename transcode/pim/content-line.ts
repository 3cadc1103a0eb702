// Content lines of vCard and vCalendar ("NAME;PARAM=x:value"), in their two syntaxes.
//
// Interface:
//   type Syntax = '2.1' | '3.0'    '2.1': vCard 2.1 and vCalendar 1.0 (versit: RFC 822 folding,
//                                  quoted-printable, CHARSET, bare TYPE parameters, only ";" escaped);
//                                  '3.0': vCard 3.0 and iCalendar 2.0 (RFC 2425/2426/5545: folding
//                                  CRLF+one blank, backslash escapes \\ \; \, \n, ENCODING=b).
//   interface Property             group, upper-case name, parameters, and the value as components
//                                  (split at ";") of values (split at "," in 3.0), unescaped, line
//                                  breaks as "\n"; or `binary` bytes. `source` keeps the text it was
//                                  read from, written back unchanged while the property is unchanged.
//   physicalToLogical(text, syntax) → Array<{ text, line }>   unfolded lines, with the 1-based line
//                                  number each starts at; quoted-printable soft breaks joined.
//   readProperty(text, syntax, line) → Property                 decodes QP/BASE64 and CHARSET (iconv-lite)
//   writeProperty(p, syntax, options) → string                  folded, CRLF between lines, no final CRLF
//   PimError                        thrown for input that is not vCard/vCalendar, naming the line.
import iconv from 'iconv-lite';
import { decodeQuotedPrintable, encodeQuotedPrintable } from './quoted-printable.ts';

export type Syntax = '2.1' | '3.0';

export interface Param {
  /** Upper case. A 2.1 bare parameter (`TEL;CELL:`) is a TYPE value. */
  name: string;
  values: string[];
}

export interface Property {
  group?: string;
  /** Upper case. */
  name: string;
  /** Without ENCODING and CHARSET: those describe the text on the wire, not the value. */
  params: Param[];
  /** Components, each a list of values; unescaped, line breaks as "\n". Empty when `binary` is set. */
  value: string[][];
  binary?: Buffer;
  source?: { syntax: Syntax; text: string; key: string };
}

export interface WriteOptions {
  /** Charset for non-ASCII text in the 2.1 syntax (default UTF-8); 3.0 is always UTF-8. */
  charset?: string;
  /** ENCODING value for binary in 3.0: "b" for vCard 3.0, "BASE64" for iCalendar (default "b"). */
  base64Name?: string;
}

export class PimError extends Error {
  constructor(message: string, line?: number) {
    super(line === undefined ? message : `${message} (line ${line})`);
    this.name = 'PimError';
  }
}

/* ---------------------------------------------------------------- unfolding ------------- */

const QP_PARAM = /;[ \t]*(?:ENCODING[ \t]*=[ \t]*)?QUOTED-PRINTABLE[ \t]*[;:]/i;
const BASE64_PARAM = /;[ \t]*(?:ENCODING[ \t]*=[ \t]*)?(?:BASE64|B)[ \t]*[;:]/i;
const BASE64_LINE = /^[A-Za-z0-9+/=]+$/;

/** The part of a line before its value: name and parameters (a ":" inside quotes does not end it). */
function headOf(line: string): string {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '"') quoted = !quoted;
    else if (line[i] === ':' && !quoted) return line.slice(0, i + 1);
  }
  return line;
}

/**
 * Physical lines → logical lines. 3.0: a line starting with one blank continues the previous
 * one, the blank removed. 2.1 (RFC 822 folding): the blank is kept. In both, a quoted-printable
 * value ending in "=" goes on on the next line whatever it starts with (phones do not indent
 * it), and in 2.1 a BASE64 value goes on over lines of base64 up to a blank line.
 */
export function physicalToLogical(text: string, syntax: Syntax): Array<{ text: string; raw: string; line: number }> {
  const out: Array<{ text: string; raw: string; line: number }> = [];
  const physical = text.split(/\r\n|\n|\r/);
  let current: { text: string; raw: string; line: number; qp: boolean; base64: boolean } | undefined;
  const finish = () => {
    if (current) out.push({ text: current.text, raw: current.raw, line: current.line });
    current = undefined;
  };
  physical.forEach((p, i) => {
    if (current?.qp && current.text.endsWith('=')) {
      current.text += '\n' + p;
    } else if (current && (p.startsWith(' ') || p.startsWith('\t'))) {
      current.text += syntax === '3.0' ? p.slice(1) : p;
    } else if (current?.base64 && syntax === '2.1' && BASE64_LINE.test(p)) {
      current.text += p;
    } else {
      finish();
      if (p.trim() === '') return;
      const head = headOf(p);
      current = { text: p, raw: p, line: i + 1, qp: QP_PARAM.test(head), base64: BASE64_PARAM.test(head) };
      return;
    }
    current.raw += '\r\n' + p;
  });
  finish();
  return out;
}

/* ---------------------------------------------------------------- reading --------------- */

const NAME = /^(?:([A-Za-z0-9-]+)\.)?([A-Za-z0-9-]+)$/;
const ENCODINGS = new Set(['QUOTED-PRINTABLE', 'BASE64', 'B', '8BIT', '7BIT']);

/** Splits at `sep` outside double quotes. */
function splitOutsideQuotes(s: string, sep: string): string[] {
  const parts: string[] = [];
  let quoted = false;
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '"') quoted = !quoted;
    else if (s[i] === sep && !quoted) {
      parts.push(s.slice(from, i));
      from = i + 1;
    }
  }
  parts.push(s.slice(from));
  return parts;
}

const unquote = (v: string) => (v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v);

function addParam(params: Param[], name: string, values: string[]): void {
  const existing = params.find((p) => p.name === name);
  if (existing) existing.values.push(...values);
  else params.push({ name, values });
}

/** Text from bytes in the named charset; without one, UTF-8 when the bytes are UTF-8, else ISO-8859-1. */
function decodeText(bytes: Buffer, charset: string | undefined, line: number): string {
  if (charset) {
    if (!iconv.encodingExists(charset)) throw new PimError(`unknown CHARSET "${charset}"`, line);
    return iconv.decode(bytes, charset);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return bytes.toString('latin1');
  }
}

/** A value's text → components of values (see Property.value). */
export function splitValue(text: string, syntax: Syntax): string[][] {
  const components: string[][] = [];
  let values: string[] = [];
  let value = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length) {
      const n = text[i + 1];
      if (syntax === '3.0') {
        value += n === 'n' || n === 'N' ? '\n' : n;
        i++;
        continue;
      }
      if (n === ';' || n === '\\') {
        value += n;
        i++;
        continue;
      }
      value += c;
    } else if (c === ';') {
      values.push(value);
      components.push(values);
      values = [];
      value = '';
    } else if (c === ',' && syntax === '3.0') {
      values.push(value);
      value = '';
    } else {
      value += c;
    }
  }
  values.push(value);
  components.push(values);
  return components.map((vs) => vs.map((v) => v.replace(/\r\n?/g, '\n')));
}

/** One logical line → a Property. */
export function readProperty(text: string, syntax: Syntax, line: number, raw = text): Property {
  const head = headOf(text);
  if (!head.endsWith(':')) throw new PimError(`"${text.slice(0, 30)}" is not a property: no ":"`, line);
  const [nameText, ...paramTexts] = splitOutsideQuotes(head.slice(0, -1), ';');
  const name = NAME.exec(nameText.trim());
  if (!name) throw new PimError(`"${nameText}" is not a property name`, line);
  const params: Param[] = [];
  let encoding: string | undefined;
  let charset: string | undefined;
  for (const p of paramTexts) {
    const eq = p.indexOf('=');
    const pname = (eq < 0 ? '' : p.slice(0, eq)).trim().toUpperCase();
    const values = splitOutsideQuotes(eq < 0 ? p.trim() : p.slice(eq + 1).trim(), ',').map((v) => unquote(v.trim()));
    if (eq < 0 && !p.trim()) continue;
    if (pname === 'ENCODING' || (eq < 0 && ENCODINGS.has(values[0].toUpperCase()))) encoding = values[0].toUpperCase();
    else if (pname === 'CHARSET') charset = values[0];
    else addParam(params, eq < 0 ? 'TYPE' : pname, values);
  }
  const valueText = text.slice(head.length);
  const property: Property = { name: name[2].toUpperCase(), params, value: [] };
  if (name[1]) property.group = name[1];
  if (encoding === 'BASE64' || encoding === 'B') {
    const b64 = valueText.replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw new PimError(`${property.name}: the BASE64 value has characters base64 does not use`, line);
    property.binary = Buffer.from(b64, 'base64');
  } else if (encoding === 'QUOTED-PRINTABLE') {
    property.value = splitValue(decodeText(decodeQuotedPrintable(valueText), charset, line), syntax);
  } else {
    property.value = splitValue(valueText, syntax);
  }
  property.source = { syntax, text: raw, key: contentKey(property) };
  return property;
}

/** What a property holds, as one string: equal keys mean equal properties. */
export function contentKey(p: Property): string {
  return JSON.stringify([p.group ?? '', p.name, p.params, p.value, p.binary?.toString('base64') ?? null]);
}

/* ---------------------------------------------------------------- writing --------------- */

function escape3(v: string): string {
  return v.replace(/[\\;,\n]/g, (c) => (c === '\n' ? '\\n' : '\\' + c));
}

/** 2.1 escapes only ";", and a backslash where it would otherwise read as an escape. */
function escape21(v: string): string {
  return v.replace(/\\(?=[\\;]|$)/g, '\\\\').replace(/;/g, '\\;');
}

export function joinValue(value: string[][], syntax: Syntax): string {
  const escape = syntax === '3.0' ? escape3 : escape21;
  return value.map((vs) => vs.map(escape).join(',')).join(';');
}

function paramText(p: Param, syntax: Syntax): string {
  const clean = p.values.map((v) => v.replace(/["\r\n]/g, ''));
  if (syntax === '2.1') return clean.map((v) => (p.name === 'TYPE' ? `;${v}` : `;${p.name}=${v}`)).join('');
  return `;${p.name}=${clean.map((v) => (/[;:,]/.test(v) ? `"${v}"` : v)).join(',')}`;
}

const MAX_OCTETS = 75;

/** 3.0 folding: lines of at most 75 octets, never inside a character, continued after CRLF and a blank. */
export function fold(line: string): string {
  const lines: string[] = [];
  let current = '';
  let octets = 0;
  for (const ch of line) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (octets + n > MAX_OCTETS) {
      lines.push(current);
      current = ' ';
      octets = 1;
    }
    current += ch;
    octets += n;
  }
  lines.push(current);
  return lines.join('\r\n');
}

function base64Lines(bytes: Buffer): string {
  return (bytes.toString('base64').match(/.{1,72}/g) ?? ['']).map((l) => ' ' + l).join('\r\n');
}

/** Whether 2.1 text must be quoted-printable: anything but printable ASCII, or a line too long to stay unfolded. */
const NEEDS_QP = /[^\x20-\x7e]/;

export function writeProperty(p: Property, syntax: Syntax, options: WriteOptions = {}): string {
  if (p.source && p.source.syntax === syntax && p.source.key === contentKey(p) && !p.binary) return p.source.text;
  const name = `${p.group ? p.group + '.' : ''}${p.name}`;
  if (!NAME.test(name)) throw new PimError(`"${name}" is not a property name`);
  const params = p.params.map((x) => paramText(x, syntax)).join('');
  if (p.binary) {
    // 2.1: the base64 on indented lines, ended by a blank line (vCard 2.1 §2.1.3).
    if (syntax === '2.1') return `${name};ENCODING=BASE64${params}:\r\n${base64Lines(p.binary)}\r\n`;
    return fold(`${name};ENCODING=${options.base64Name ?? 'b'}${params}:${p.binary.toString('base64')}`);
  }
  const text = joinValue(p.value, syntax);
  if (syntax === '3.0') return fold(`${name}${params}:${text}`);
  const plain = `${name}${params}:${text}`;
  if (!NEEDS_QP.test(text) && plain.length <= 76) return plain;
  const nonAscii = /[^\x00-\x7f]/.test(text);
  const charset = nonAscii ? (options.charset ?? 'UTF-8') : undefined;
  const bytes = charset ? iconv.encode(text.replace(/\n/g, '\r\n'), charset) : Buffer.from(text.replace(/\n/g, '\r\n'), 'latin1');
  const head = `${name}${params}${charset ? `;CHARSET=${charset}` : ''};ENCODING=QUOTED-PRINTABLE:`;
  return head + encodeQuotedPrintable(bytes, 76 - head.length);
}
