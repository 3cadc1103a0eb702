// SyncML messages as element trees: read from XML (the strict parser of transcode/wbxml/xml.ts)
// and written back as the one-line XML SyncML peers send. Pure: strings in, strings out.
import { parseXml, type ParseOptions, type XmlElement } from '../wbxml/xml.ts';
import { forHtml } from '../escape.ts';

export interface Element {
  name: string;
  children: Node[];
}
export type Node = Element | string;

/** Builds an element; empty strings, undefined and false children are left out. */
export function el(name: string, ...children: Array<Node | Node[] | undefined | false | number>): Element {
  const out: Node[] = [];
  for (const c of children.flat()) {
    if (c === undefined || c === false || c === '') continue;
    out.push(typeof c === 'number' ? String(c) : c);
  }
  return { name, children: out };
}

/** Elements of the Meta Information DTD and of DevInf: written with their namespace, as peers expect. */
const NAMESPACES: Record<string, string> = {
  Anchor: 'syncml:metinf',
  EMI: 'syncml:metinf',
  Format: 'syncml:metinf',
  Mark: 'syncml:metinf',
  MaxMsgSize: 'syncml:metinf',
  MaxObjSize: 'syncml:metinf',
  NextNonce: 'syncml:metinf',
  Size: 'syncml:metinf',
  Type: 'syncml:metinf',
  Version: 'syncml:metinf',
  DevInf: 'syncml:devinf',
};

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };

/** Text as XML character data: CR kept as a reference, so item data keeps its CRLF line ends. */
function escapeText(s: string): string {
  return forHtml(s).replace(/[&<>\r]/g, (c) => ENTITIES[c]);
}

function write(node: Node, out: string[], inherited: string): void {
  if (typeof node === 'string') {
    out.push(escapeText(node));
    return;
  }
  const ns = NAMESPACES[node.name];
  const attr = ns && ns !== inherited ? ` xmlns='${ns}'` : '';
  if (node.children.length === 0) out.push(`<${node.name}${attr}/>`);
  else {
    out.push(`<${node.name}${attr}>`);
    for (const c of node.children) write(c, out, ns ?? inherited);
    out.push(`</${node.name}>`);
  }
}

/** A SyncML document, one line, without DOCTYPE (as SyncEvolution and the Synthesis engine send). */
export function toXml(root: Element, version: string): string {
  const out = [`<?xml version="1.0" encoding="UTF-8"?><SyncML xmlns='SYNCML:SYNCML${version}'>`];
  for (const c of root.children) write(c, out, '');
  out.push('</SyncML>');
  return out.join('');
}

/** An element and what is inside it as XML text (DevInf travels as the inside of a Data element). */
export function innerXml(node: Element): string {
  const out: string[] = [];
  for (const c of node.children) write(c, out, '');
  return out.join('');
}

/** The bytes the inside of an element takes in our XML: what counts against a peer's MaxMsgSize. */
export const wireSize = (node: Element) => Buffer.byteLength(innerXml(node));

export const meta = (...children: Element[]) => el('Meta', ...children);
export const locUri = (tag: 'Target' | 'Source', uri: string) => el(tag, el('LocURI', uri));

function fromXmlElement(x: XmlElement): Element {
  return { name: x.name, children: x.children.map((c) => (typeof c === 'string' ? c : fromXmlElement(c))) };
}

/** Reads an XML fragment with one root element (a DevInf kept as text). */
export function parseElement(text: string): Element {
  return fromXmlElement(parseXml(text).root);
}

/**
 * Reads a SyncML document; throws (with line and column) on anything that is not well-formed XML.
 * `keptBytes`: item data may hold bytes kept as U+DC80–U+DCFF (transcode/syncml/item-bytes.ts).
 */
export function parseSyncml(text: string, options: ParseOptions = {}): { version: string; root: Element } {
  const doc = parseXml(text, options);
  if (doc.root.name !== 'SyncML') throw new Error(`not a SyncML message: the root is <${doc.root.name}>`);
  const ns = doc.root.attributes.find((a) => a.name === 'xmlns')?.value ?? '';
  const version = /^SYNCML:SYNCML(1\.[0-2])$/i.exec(ns)?.[1] ?? '';
  return { version, root: fromXmlElement(doc.root) };
}

// Reading ------------------------------------------------------------------------

export function child(node: Element | undefined, name: string): Element | undefined {
  return node?.children.find((c): c is Element => typeof c !== 'string' && c.name === name);
}

export function childrenOf(node: Element | undefined, name?: string): Element[] {
  return (node?.children ?? []).filter((c): c is Element => typeof c !== 'string' && (name === undefined || c.name === name));
}

/** The element at a slash-separated path below `node`. */
export function at(node: Element | undefined, path: string): Element | undefined {
  let n = node;
  for (const part of path.split('/')) n = child(n, part);
  return n;
}

/** The text at a path (trimmed), '' when absent. */
export function textAt(node: Element | undefined, path: string): string {
  return textOf(at(node, path)).trim();
}

/** The text inside an element, untrimmed (item data keeps its blanks). */
export function textOf(node: Element | undefined): string {
  return (node?.children ?? []).filter((c): c is string => typeof c === 'string').join('');
}
