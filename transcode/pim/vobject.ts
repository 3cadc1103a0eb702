// vCard / vCalendar objects as a tree: BEGIN:X … END:X components holding properties.
//
// Interface:
//   interface Component { name, properties: Property[], components: Component[] }
//   parseVObject(text, syntaxHint?) → { root, syntax }   exactly one top-level object; the syntax
//                           comes from its VERSION (2.1 / 1.0 → '2.1', else '3.0'), else the hint
//                           (from the transport's MIME type), else '2.1'. PimError on bad input.
//   writeVObject(root, syntax, options?) → string          CRLF line ends, a final CRLF; properties
//                           read and not changed since come back as they were read.
//   textOf(p) → string      a property's value as one text (components joined by ";", values by ",")
//   textProperty(name, text, params?) → Property           a new property holding one text
import { PimError, physicalToLogical, readProperty, writeProperty, type Param, type Property, type Syntax, type WriteOptions } from './content-line.ts';

export interface Component {
  /** Upper case: VCARD, VCALENDAR, VEVENT, VALARM, VTIMEZONE… */
  name: string;
  properties: Property[];
  components: Component[];
}

/** Deepest nesting accepted (VCALENDAR > VTIMEZONE > STANDARD is 3). */
const MAX_DEPTH = 8;

/** The syntax a VERSION value names. */
export function syntaxOfVersion(version: string): Syntax {
  return version === '2.1' || version === '1.0' ? '2.1' : '3.0';
}

const VERSION_LINE = /^[ \t]*VERSION[ \t]*:[ \t]*([0-9.]+)/im;

export function parseVObject(text: string, syntaxHint?: Syntax): { root: Component; syntax: Syntax } {
  const version = VERSION_LINE.exec(text);
  const syntax = version ? syntaxOfVersion(version[1]) : (syntaxHint ?? '2.1');
  const stack: Component[] = [];
  let root: Component | undefined;
  for (const { text: line, raw, line: at } of physicalToLogical(text, syntax)) {
    const begin = /^BEGIN[ \t]*:[ \t]*([A-Za-z0-9-]+)[ \t]*$/i.exec(line);
    const end = /^END[ \t]*:[ \t]*([A-Za-z0-9-]+)[ \t]*$/i.exec(line);
    if (begin) {
      if (root && !stack.length) throw new PimError('more than one object: one item holds one vCard or vCalendar', at);
      if (stack.length >= MAX_DEPTH) throw new PimError(`components nested deeper than ${MAX_DEPTH}`, at);
      const c: Component = { name: begin[1].toUpperCase(), properties: [], components: [] };
      if (stack.length) stack[stack.length - 1].components.push(c);
      else root = c;
      stack.push(c);
    } else if (end) {
      const open = stack.pop();
      if (!open) throw new PimError(`END:${end[1]} without BEGIN`, at);
      if (open.name !== end[1].toUpperCase()) throw new PimError(`END:${end[1]} closes BEGIN:${open.name}`, at);
    } else {
      if (!stack.length) throw new PimError(root ? 'text after the END of the object' : 'text before BEGIN', at);
      stack[stack.length - 1].properties.push(readProperty(line, syntax, at, raw));
    }
  }
  if (!root) throw new PimError('no BEGIN: not a vCard or vCalendar');
  if (stack.length) throw new PimError(`BEGIN:${stack[stack.length - 1].name} is never ENDed`);
  return { root, syntax };
}

export function writeVObject(root: Component, syntax: Syntax, options: WriteOptions = {}): string {
  const lines: string[] = [];
  const write = (c: Component) => {
    lines.push(`BEGIN:${c.name}`);
    for (const p of c.properties) lines.push(writeProperty(p, syntax, options));
    for (const child of c.components) write(child);
    lines.push(`END:${c.name}`);
  };
  write(root);
  return lines.join('\r\n') + '\r\n';
}

export function textOf(p: Property): string {
  return p.value.map((vs) => vs.join(',')).join(';');
}

export function textProperty(name: string, text: string, params: Param[] = []): Property {
  return { name, params, value: [[text]] };
}
