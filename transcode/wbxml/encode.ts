// WML text → WBXML (WAP-192 WBXML 1.1–1.3, WAP-191 WML token tables). Pure: a string in, bytes out,
// the same bytes for the same deck every time.
//
// What it writes: the version byte, the public identifier of the deck's DOCTYPE, charset UTF-8,
// a string table, then the tokens. Tags carry the attribute/content bits; an attribute starts with
// the token whose value prefix is the longest one its value begins with (`href="http://`,
// `type="accept"`); the rest of a value is value tokens (`.com/`, `www.`, `text`…) and strings;
// variables become EXT_I_0/1/2 and `$$` a plain `$`. Names missing from the version's tables
// (`pre` in a WML 1.1 deck) are written as LITERAL references to the string table.
//
// The string table: every string the body would write inline is a candidate, and so is each
// longest common prefix of two of them (the `/s/<session token>/` that opens every link of a deck,
// the `d/c1/3/` of the links into one database). A chosen prefix is stored as its part beyond the
// longest chosen prefix it extends, so a string is written as one STR_T for each chosen prefix it
// starts with, shortest first, then its rest inline. From all the candidates (the 48 most
// promising), the one whose removal costs least is removed for as long as removing it does not
// make the encoding longer.
import { parseXml, type XmlElement } from './xml.ts';
import {
  CHARSET_UTF8,
  ELEMENT_ONLY,
  GLOBAL,
  TAG_ATTRIBUTES,
  TAG_CONTENT,
  VARIABLE_TOKENS,
  WBXML_VERSIONS,
  WML_DOCUMENTS,
  wmlTables,
  wmlVersionOfFpi,
  type Conversion,
  type WbxmlVersion,
  type WmlTables,
  type WmlVersion,
} from './wml-tokens.ts';
import type { WmlElement, WmlValue, WmlVariable } from './decode.ts';

export interface EncodeOptions {
  /** WBXML version to write (default 1.3). The WML version comes from the deck's DOCTYPE. */
  version?: WbxmlVersion;
  /** Set false to write every string inline (the table then holds only literal names, if any). */
  stringTable?: boolean;
}

/** A parsed deck: its WML version and public identifier token, and the element tree. */
export interface WmlTree {
  version: WmlVersion;
  publicId: number;
  root: WmlElement;
}

/** Deepest nesting a deck may have, as on the decoder's side. */
const MAX_DEPTH = 256;

const CONVERSIONS: Record<string, Conversion> = { e: 'escape', escape: 'escape', u: 'unesc', unesc: 'unesc', n: 'noesc', noesc: 'noesc' };
const VARIABLE = /\$(?:\(([A-Za-z_][A-Za-z0-9_]*)(?::([A-Za-z]*))?\)|([A-Za-z_][A-Za-z0-9_]*))/y;

/**
 * Text or an attribute value with its WML variable references (WML §10.3) parsed: `$name`,
 * `$(name)`, `$(name:e)`, `$(name:escape)`, `$(name:u|unesc)`, `$(name:n|noesc)`; `$$` is a `$`.
 * A `$` that starts none of these is an Error.
 */
export function splitVariables(text: string): WmlValue {
  const out: WmlValue = [];
  let literal = '';
  let i = 0;
  for (;;) {
    const dollar = text.indexOf('$', i);
    if (dollar < 0) break;
    literal += text.slice(i, dollar);
    if (text[dollar + 1] === '$') {
      literal += '$';
      i = dollar + 2;
      continue;
    }
    VARIABLE.lastIndex = dollar;
    const m = VARIABLE.exec(text);
    const conversion = m && (m[3] !== undefined ? 'noesc' : m[2] === undefined ? 'noesc' : CONVERSIONS[m[2].toLowerCase()]);
    if (!m || !conversion) {
      throw new Error(`WML: "${text.slice(dollar, dollar + 20)}" is not a variable reference: write $$ for a dollar sign`);
    }
    if (literal) out.push(literal);
    literal = '';
    out.push({ variable: m[1] ?? m[3], conversion });
    i = dollar + m[0].length;
  }
  literal += text.slice(i);
  if (literal) out.push(literal);
  return out;
}

const XML_SPACE = /^[ \t\n\r]*$/;

function wmlElement(x: XmlElement, depth: number): WmlElement {
  if (depth > MAX_DEPTH) throw new Error(`WML: elements nested deeper than ${MAX_DEPTH}`);
  const children: WmlElement['children'] = [];
  const elementOnly = ELEMENT_ONLY.has(x.name);
  for (const c of x.children) {
    if (typeof c !== 'string') children.push(wmlElement(c, depth + 1));
    // White space between the children of an element without #PCDATA is ignorable (XML §2.10).
    else if (!(elementOnly && XML_SPACE.test(c))) {
      for (const piece of splitVariables(c)) {
        const last = children.length - 1;
        if (typeof piece === 'string' && last >= 0 && typeof children[last] === 'string') children[last] += piece;
        else children.push(piece);
      }
    }
  }
  return { name: x.name, attributes: x.attributes.map((a) => ({ name: a.name, value: splitVariables(a.value) })), children };
}

/**
 * Parses a WML deck (XML with the DOCTYPE of WML 1.1, 1.2 or 1.3) into the tree the decoder also
 * returns: variables parsed, ignorable white space dropped. Two decks with equal trees encode alike.
 */
export function wmlTree(xml: string): WmlTree {
  const doc = parseXml(xml);
  const fpi = doc.doctype?.publicId;
  const version = fpi === undefined ? undefined : wmlVersionOfFpi(fpi);
  if (!version) throw new Error(`WML: the DOCTYPE must name WML 1.1, 1.2 or 1.3 (found ${fpi === undefined ? 'none' : `"${fpi}"`})`);
  if (doc.doctype!.name !== doc.root.name) throw new Error(`WML: the DOCTYPE names <${doc.doctype!.name}>, the root is <${doc.root.name}>`);
  return { version, publicId: WML_DOCUMENTS[version].publicId, root: wmlElement(doc.root, 1) };
}

/* ---------------------------------------------------------------- tokens ---------------- */

/** What the body is made of before the string table is known. */
type Op =
  | number // a byte
  | { run: string } // a string: inline, or by the string table
  | { literal: number; name: string } // LITERAL* token and a name that must be in the table
  | { variable: WmlVariable }; // EXT_T_n by the string table when the name is there whole, else EXT_I_n

class Body {
  readonly ops: Op[] = [];
  readonly runs: string[] = [];
  readonly literals: string[] = [];
  private readonly tables: WmlTables;

  constructor(tables: WmlTables) {
    this.tables = tables;
  }

  private run(s: string): void {
    if (!s) return;
    this.ops.push({ run: s });
    this.runs.push(s);
  }

  private literal(token: number, name: string): void {
    this.ops.push({ literal: token, name });
    if (!this.literals.includes(name)) this.literals.push(name);
  }

  private variable(v: WmlVariable): void {
    this.ops.push({ variable: v });
    // Counted like a string: a form's variable name often also stands in its input's name attribute.
    this.runs.push(v.variable);
  }

  element(e: WmlElement): void {
    const bits = (e.attributes.length ? TAG_ATTRIBUTES : 0) | (e.children.length ? TAG_CONTENT : 0);
    const token = this.tables.tagByName.get(e.name);
    if (token === undefined) this.literal(GLOBAL.LITERAL | bits, e.name);
    else this.ops.push(token | bits);
    if (e.attributes.length) {
      for (const a of e.attributes) this.attribute(a.name, a.value);
      this.ops.push(GLOBAL.END);
    }
    if (e.children.length) {
      for (const c of e.children) {
        if (typeof c === 'string') this.run(c);
        else if ('variable' in c) this.variable(c);
        else this.element(c);
      }
      this.ops.push(GLOBAL.END);
    }
  }

  private attribute(name: string, value: WmlValue): void {
    const first = typeof value[0] === 'string' ? value[0] : '';
    const start = this.tables.startsByName.get(name)?.find((s) => first.startsWith(s.value));
    let rest = value;
    if (start) {
      this.ops.push(start.token);
      if (start.value) rest = [first.slice(start.value.length), ...value.slice(1)];
    } else {
      this.literal(GLOBAL.LITERAL, name);
    }
    for (const piece of rest) {
      if (typeof piece === 'string') this.valueText(piece);
      else this.variable(piece);
    }
  }

  /**
   * Attribute value text: value tokens where they save bytes, strings between. A token inside a
   * string splits it in two (a NUL and a STR_I more), so there it must be 4 characters or longer.
   */
  private valueText(s: string): void {
    let from = 0;
    for (let i = 0; i < s.length; ) {
      const token = this.tables.values.find((v) => s.startsWith(v.value, i));
      if (token && (token.value.length >= 4 || i === from || i + token.value.length === s.length)) {
        this.run(s.slice(from, i));
        this.ops.push(token.token);
        i += token.value.length;
        from = i;
      } else i++;
    }
    this.run(s.slice(from));
  }
}

/* ---------------------------------------------------------------- string table ---------- */

const utf8Length = (s: string) => Buffer.byteLength(s, 'utf8');

/** Bytes of a multi-byte unsigned integer (WAP-192 §5.1). */
export function mbUint32(n: number): number[] {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`mb_u_int32 out of range: ${n}`);
  const out = [n % 128];
  for (n = Math.floor(n / 128); n > 0; n = Math.floor(n / 128)) out.unshift((n % 128) | 0x80);
  return out;
}

/** Longest common prefix of two strings, never ending inside a surrogate pair. */
function commonPrefix(a: string, b: string): string {
  let n = 0;
  while (n < a.length && n < b.length && a.charCodeAt(n) === b.charCodeAt(n)) n++;
  if (n > 0 && n < a.length && /[\uD800-\uDBFF]/.test(a[n - 1])) n--;
  return a.slice(0, n);
}

/** At most this many prefixes are weighed (the most promising ones): the choice is cubic in their number. */
const MAX_CANDIDATES = 48;

/**
 * Chooses the prefixes the string table will hold (see the head of this file). A chosen prefix is
 * stored as its part beyond the longest chosen prefix it extends (its parent), so a string is
 * written as STR_T for each chosen prefix it starts with, shortest first, then the rest inline.
 * Starting from every candidate, the one whose removal costs least is removed while that does not
 * make the encoding longer.
 */
function choosePrefixes(runs: string[], reserved: number): string[] {
  const counts = new Map<string, number>();
  for (const r of runs) counts.set(r, (counts.get(r) ?? 0) + 1);
  const unique = [...counts.keys()].sort();
  const found = new Set<string>();
  for (const [r, n] of counts) if (n > 1) found.add(r);
  for (let k = 1; k < unique.length; k++) {
    const p = commonPrefix(unique[k - 1], unique[k]);
    if (p) found.add(p);
  }
  // A run that another one ends with ("login" in "/login") can serve both from the table.
  for (const r of unique) if (unique.some((o) => o.length > r.length && o.endsWith(r))) found.add(r);
  const runBytes = unique.map(utf8Length);
  // The runs that start with c follow one another in sorted order, from the first one not below c.
  const uses = (c: string) => {
    let lo = 0;
    for (let hi = unique.length; lo < hi; ) {
      const mid = (lo + hi) >> 1;
      if (unique[mid] < c) lo = mid + 1;
      else hi = mid;
    }
    let n = 0;
    for (let i = lo; i < unique.length && unique[i].startsWith(c); i++) n += counts.get(unique[i])!;
    return n;
  };
  const candidates = [...found]
    .map((c) => ({ c, bytes: utf8Length(c), score: uses(c) * utf8Length(c) }))
    .sort((x, y) => y.score - x.score || (x.c < y.c ? -1 : 1))
    .slice(0, MAX_CANDIDATES)
    .sort((x, y) => x.c.length - y.c.length || (x.c < y.c ? -1 : 1));
  // For each run and each candidate, the candidates it starts with (shortest first), and those it
  // merely ends with (longest first): "/login" can be "/" inline and then "login" from the table.
  const runPrefixes = unique.map((r) => candidates.flatMap((x, j) => (r.startsWith(x.c) ? [j] : [])));
  const runSuffixes = unique.map((r) =>
    candidates.flatMap((x, j) => (r.length > x.c.length && r.endsWith(x.c) && !r.startsWith(x.c) ? [j] : [])).sort((a, b) => candidates[b].bytes - candidates[a].bytes),
  );
  const parents = candidates.map((x) => candidates.flatMap((y, j) => (y.c.length < x.c.length && x.c.startsWith(y.c) ? [j] : [])));

  const total = (chosen: boolean[]): number => {
    let table = reserved;
    for (let j = 0; j < candidates.length; j++) {
      if (!chosen[j]) continue;
      const parent = parents[j].filter((p) => chosen[p]).pop();
      table += candidates[j].bytes - (parent === undefined ? 0 : candidates[parent].bytes) + 1;
    }
    const ref = 1 + mbUint32(Math.max(0, table - 1)).length; // STR_T and an offset
    let body = 0;
    for (let i = 0; i < unique.length; i++) {
      const chain = runPrefixes[i].filter((j) => chosen[j]);
      let rest = runBytes[i] - (chain.length ? candidates[chain[chain.length - 1]].bytes : 0);
      let refs = chain.length;
      // A tail from the table must be stored whole there, so only a chosen candidate with no chosen parent.
      const tail = chain.length ? undefined : runSuffixes[i].find((j) => chosen[j] && !parents[j].some((p) => chosen[p]));
      if (tail !== undefined) {
        rest -= candidates[tail].bytes;
        refs++;
      }
      body += counts.get(unique[i])! * (refs * ref + (rest ? rest + 2 : 0));
    }
    return table - reserved + body;
  };

  const chosen = candidates.map(() => true);
  let cost = total(chosen);
  for (;;) {
    let best = -1;
    let bestCost = Infinity;
    for (let j = 0; j < candidates.length; j++) {
      if (!chosen[j]) continue;
      chosen[j] = false;
      const without = total(chosen);
      chosen[j] = true;
      if (without < bestCost) {
        best = j;
        bestCost = without;
      }
    }
    if (best < 0 || bestCost > cost) break;
    chosen[best] = false;
    cost = bestCost;
  }
  return candidates.filter((_, j) => chosen[j]).map((x) => x.c);
}

interface Table {
  bytes: Buffer;
  /** Where each stored string starts. */
  index: Map<string, number>;
  /**
   * How a run is written: the table strings it starts with, then the rest inline (maybe empty);
   * or, when it starts with none, its head inline and a `tail` from the table.
   */
  split(run: string): { refs: string[]; rest: string; tail?: string };
}

function buildTable(runs: string[], literals: string[], useTable: boolean): Table {
  const reserved = literals.reduce((n, l) => n + utf8Length(l) + 1, 0);
  const prefixes = useTable ? choosePrefixes(runs, reserved) : [];
  // Each prefix is stored as its part beyond its longest chosen proper prefix.
  const label = new Map<string, string>();
  for (const p of prefixes) {
    const parent = prefixes.filter((q) => q.length < p.length && p.startsWith(q)).reduce((a, q) => (q.length > a.length ? q : a), '');
    label.set(p, p.slice(parent.length));
  }
  const parts: Buffer[] = [];
  const placed: Array<{ s: string; at: number }> = [];
  const index = new Map<string, number>();
  let size = 0;
  const place = (s: string) => {
    if (index.has(s)) return;
    // A string that ends another one already in the table is found inside it.
    const host = placed.find((p) => p.s.endsWith(s));
    if (host) {
      index.set(s, host.at + utf8Length(host.s) - utf8Length(s));
      return;
    }
    const b = Buffer.from(`${s}\0`, 'utf8');
    parts.push(b);
    placed.push({ s, at: size });
    index.set(s, size);
    size += b.length;
  };
  for (const l of literals) place(l);
  for (const l of [...new Set(label.values())].sort((a, b) => utf8Length(b) - utf8Length(a) || (a < b ? -1 : 1))) place(l);
  const byLength = [...prefixes].sort((a, b) => a.length - b.length);
  return {
    bytes: Buffer.concat(parts),
    index,
    split(run) {
      const chain = byLength.filter((p) => run.startsWith(p));
      if (chain.length) return { refs: chain.map((p) => label.get(p)!), rest: run.slice(chain[chain.length - 1].length) };
      const whole = byLength.filter((p) => label.get(p) === p && run.length > p.length && run.endsWith(p));
      const tail = whole[whole.length - 1];
      return tail ? { refs: [], rest: run.slice(0, run.length - tail.length), tail } : { refs: [], rest: run };
    },
  };
}

/* ---------------------------------------------------------------- the whole ------------- */

/** A growing byte buffer (the tag codec writes SyncML through it too). */
export class Writer {
  private buf = Buffer.alloc(512);
  private length = 0;

  bytes(b: ArrayLike<number>): void {
    if (this.length + b.length > this.buf.length) {
      const bigger = Buffer.alloc(Math.max(this.buf.length * 2, this.length + b.length));
      this.buf.copy(bigger, 0, 0, this.length);
      this.buf = bigger;
    }
    this.buf.set(b, this.length);
    this.length += b.length;
  }

  result(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.length));
  }
}

/** Encodes a WML deck (text) as WBXML. Throws an Error on anything that is not a WML 1.1–1.3 deck. */
export function encodeWml(xml: string, options: EncodeOptions = {}): Buffer {
  const version = options.version ?? '1.3';
  if (!(version in WBXML_VERSIONS)) throw new Error(`WBXML: unknown version "${version}": 1.1, 1.2 or 1.3`);
  const tree = wmlTree(xml);
  const body = new Body(wmlTables(tree.version));
  body.element(tree.root);
  const table = buildTable(body.runs, body.literals, options.stringTable !== false);

  const out = new Writer();
  out.bytes([WBXML_VERSIONS[version], ...mbUint32(tree.publicId), ...mbUint32(CHARSET_UTF8), ...mbUint32(table.bytes.length)]);
  out.bytes(table.bytes);
  const inline = (token: number, s: string) => {
    out.bytes([token]);
    out.bytes(Buffer.from(s, 'utf8'));
    out.bytes([0]);
  };
  for (const op of body.ops) {
    if (typeof op === 'number') out.bytes([op]);
    else if ('run' in op) {
      const { refs, rest, tail } = table.split(op.run);
      for (const r of refs) out.bytes([GLOBAL.STR_T, ...mbUint32(table.index.get(r)!)]);
      if (rest) inline(GLOBAL.STR_I, rest);
      if (tail) out.bytes([GLOBAL.STR_T, ...mbUint32(table.index.get(tail)!)]);
    } else if ('literal' in op) out.bytes([op.literal, ...mbUint32(table.index.get(op.name)!)]);
    else {
      const { variable, conversion } = op.variable;
      const at = table.index.get(variable);
      if (at === undefined) inline(VARIABLE_TOKENS[conversion].inline, variable);
      else out.bytes([VARIABLE_TOKENS[conversion].table, ...mbUint32(at)]);
    }
  }
  return out.result();
}
