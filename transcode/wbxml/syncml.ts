// SyncML messages (and DevInf documents) between XML text, an element tree, and WBXML.
//
// Interface:
//   interface SyncmlDocument { vocabulary: Vocabulary (SYNCML_11/12, DEVINF_11/12), root: TagElement }
//   syncmlTree(xml) → SyncmlDocument      XML text → tree: namespaces resolved on every element
//                   (a MetInf element written without its xmlns is put in syncml:metinf), white
//                   space between elements dropped; the document type from the root's namespace
//                   (or DOCTYPE), DevInf's version from its VerDTD. An Error for anything else.
//   encodeSyncml(doc | xml, { stringTable? }) → Buffer
//                   WBXML 1.2 as SyncEvolution/Synthesis writes it: item Data as OPAQUE, a DevInf
//                   inside Data as OPAQUE holding its own WBXML DevInf document (its Meta Type then
//                   says application/vnd.syncml-devinf+wbxml); strings by a string table where it
//                   saves bytes, or with stringTable false all inline (SyncEvolution's very bytes).
//   decodeSyncml(bytes) → SyncmlDocument  the reverse; WbxmlError on malformed input. OPAQUE item
//                   data that is not UTF-8 is read as ISO-8859-1 (byte for byte), not refused.
//   toSyncmlXml(doc) → string             one line, no DOCTYPE, xmlns where the namespace
//                   changes, CR kept as &#13;. decodeSyncml(encodeSyncml(x)) equals syncmlTree(x).
import { vocabularyIndex, vocabularyOfFpi, type Vocabulary } from './code-pages.ts';
import { WbxmlError } from './reader.ts';
import { DEVINF_11, DEVINF_12, DEVINF_NAMESPACE, DEVINF_VOCABULARIES, SYNCML_11, SYNCML_12, SYNCML_VOCABULARIES } from './syncml-tokens.ts';
import { decodeTags, encodeTags, type TagElement } from './tags.ts';
import { parseXml, type XmlElement } from './xml.ts';
import { decodeKeepingBytes, encodeKeepingBytes, keepsBytes } from '../syncml/item-bytes.ts';

export interface SyncmlDocument {
  vocabulary: Vocabulary;
  root: TagElement;
}

const DEVINF_XML = 'application/vnd.syncml-devinf+xml';
const DEVINF_WBXML = 'application/vnd.syncml-devinf+wbxml';
const DEVINF_OF: ReadonlyMap<Vocabulary, Vocabulary> = new Map([
  [SYNCML_11, DEVINF_11],
  [SYNCML_12, DEVINF_12],
]);

/* ---------------------------------------------------------------- XML → tree ------------ */

/** The vocabulary's own spelling of a namespace written in another case (SYNCML:SYNCML1.1 vs syncml:syncml1.1). */
function canonical(namespace: string, vocabulary: Vocabulary): string | undefined {
  return vocabulary.pages.find((p) => p.namespace.toLowerCase() === namespace.toLowerCase())?.namespace;
}

function rootVocabulary(x: XmlElement, fpi: string | undefined): Vocabulary {
  const xmlns = x.attributes.find((a) => a.name === 'xmlns')?.value;
  if (x.name === 'SyncML') {
    const v = xmlns ? SYNCML_VOCABULARIES.find((s) => canonical(xmlns, s) === s.pages[0].namespace) : fpi ? vocabularyOfFpi(fpi, SYNCML_VOCABULARIES) : undefined;
    if (!v) throw new Error(`SyncML: namespace "${xmlns ?? ''}" is not SyncML 1.1 or 1.2`);
    return v;
  }
  if (x.name === 'DevInf') {
    const verDtd = x.children.find((c): c is XmlElement => typeof c !== 'string' && c.name === 'VerDTD');
    const version = verDtd?.children.join('').trim();
    const v = DEVINF_VOCABULARIES.find((d) => d.version === version);
    if (!v) throw new Error(`DevInf: VerDTD "${version ?? ''}" is not 1.1 or 1.2`);
    return v;
  }
  throw new Error(`SyncML: the root element is <${x.name}>, not <SyncML> or <DevInf>`);
}

function treeOf(x: XmlElement, vocabulary: Vocabulary, inherited: string): TagElement {
  const index = vocabularyIndex(vocabulary);
  for (const a of x.attributes) if (a.name !== 'xmlns') throw new Error(`SyncML: <${x.name}> has an attribute "${a.name}": SyncML elements have none`);
  const declared = x.attributes.find((a) => a.name === 'xmlns')?.value;
  let namespace = declared === undefined ? inherited : (canonical(declared, vocabulary) ?? declared);
  if (!index.token(namespace, x.name)) {
    // Clients that leave out xmlns='syncml:metinf': the element is on another page by its name.
    const other = vocabulary.pages.find((p) => index.token(p.namespace, x.name));
    if (declared !== undefined || !other) throw new Error(`SyncML: <${x.name}> is not an element of ${vocabulary.name}${declared !== undefined ? ` namespace "${declared}"` : ''}`);
    namespace = other.namespace;
  }
  const element: TagElement = { name: x.name, namespace, children: [] };
  const hasElements = x.children.some((c) => typeof c !== 'string');
  for (const c of x.children) {
    if (typeof c !== 'string') element.children.push(c.name === 'DevInf' && x.name === 'Data' ? devinfTree(c, vocabulary) : treeOf(c, vocabulary, namespace));
    else if (!hasElements) element.children.push(c);
    else if (c.trim()) throw new Error(`SyncML: <${x.name}> mixes text and elements`);
  }
  return element;
}

/** A DevInf inside a SyncML message's Data: the DevInf version that goes with the message's. */
function devinfTree(x: XmlElement, outer: Vocabulary): TagElement {
  const vocabulary = DEVINF_VOCABULARIES.includes(outer) ? outer : DEVINF_OF.get(outer)!;
  return treeOf(x, vocabulary, DEVINF_NAMESPACE);
}

export function syncmlTree(xml: string): SyncmlDocument {
  const doc = parseXml(xml);
  const vocabulary = rootVocabulary(doc.root, doc.doctype?.publicId);
  return { vocabulary, root: treeOf(doc.root, vocabulary, vocabulary.pages[0].namespace) };
}

/* ---------------------------------------------------------------- WBXML ------------------ */

/** The tree with every MetInf Type `from` written `to` (the DevInf's MIME type follows its encoding). */
function retype(e: TagElement, from: string, to: string): TagElement {
  if (e.name === 'Type' && e.children.length === 1 && e.children[0] === from) return { ...e, children: [to] };
  return { ...e, children: e.children.map((c) => (typeof c === 'string' ? c : retype(c, from, to))) };
}

export interface EncodeSyncmlOptions {
  /** Set false to write every string inline, byte for byte as SyncEvolution does (default: a string table where it saves bytes). */
  stringTable?: boolean;
}

export function encodeSyncml(input: SyncmlDocument | string, options: EncodeSyncmlOptions = {}): Buffer {
  const doc = typeof input === 'string' ? syncmlTree(input) : input;
  const devinf = DEVINF_OF.get(doc.vocabulary);
  return encodeTags(devinf ? retype(doc.root, DEVINF_XML, DEVINF_WBXML) : doc.root, doc.vocabulary, {
    stringTable: options.stringTable,
    opaque: (e, parent) => {
      // Bytes that were not UTF-8 in OPAQUE data go back as they came (transcode/syncml/item-bytes.ts).
      const text = e.children.every((c) => typeof c === 'string') ? e.children.join('') : '';
      if (keepsBytes(text)) return encodeKeepingBytes(text);
      if (e.name !== 'Data' || !devinf) return undefined;
      const [only] = e.children;
      if (e.children.length === 1 && typeof only !== 'string' && only.namespace === DEVINF_NAMESPACE) return encodeTags(only, devinf, { stringTable: options.stringTable });
      // Item data (a vCard, an event) as SyncEvolution sends it; Status and Cred data stay strings.
      if (e.children.every((c) => typeof c === 'string') && e.children.length && parent?.name === 'Item') return Buffer.from(e.children.join(''), 'utf8');
      return undefined;
    },
  });
}

export function decodeSyncml(bytes: Uint8Array): SyncmlDocument {
  const { vocabulary, root } = decodeTags(bytes, [...SYNCML_VOCABULARIES, ...DEVINF_VOCABULARIES], {
    opaque: (parent, data, at) => {
      // A WBXML document starts with its version byte (1–3), which no text starts with.
      if (parent.name === 'Data' && data.length && data[0] <= 0x03) {
        try {
          return decodeTags(data, DEVINF_VOCABULARIES).root;
        } catch (e) {
          throw e instanceof WbxmlError ? new WbxmlError(`in the DevInf inside Data: ${e.message}`, at) : e;
        }
      }
      // Item data is UTF-8 as the header says; bytes that are not (a chunk of a large object cut
      // inside a character, a phone that put 8-bit ISO-8859-1 there) are kept, for the whole item
      // to be read (transcode/syncml/item-bytes.ts).
      const text = decodeKeepingBytes(data);
      if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/.test(text)) throw new WbxmlError('OPAQUE data holds control characters: it is not text', at);
      return text;
    },
  });
  return { vocabulary, root: DEVINF_OF.has(vocabulary) ? retype(root, DEVINF_WBXML, DEVINF_XML) : root };
}

/* ---------------------------------------------------------------- tree → XML ------------ */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };
const escapeText = (s: string) => s.replace(/[&<>\r]/g, (c) => ESCAPES[c]);

function elementXml(e: TagElement, parentNamespace: string | undefined): string {
  const xmlns = e.namespace !== parentNamespace ? ` xmlns='${e.namespace}'` : '';
  if (!e.children.length) return `<${e.name}${xmlns}/>`;
  const inner = e.children.map((c) => (typeof c === 'string' ? escapeText(c) : elementXml(c, e.namespace))).join('');
  return `<${e.name}${xmlns}>${inner}</${e.name}>`;
}

export function toSyncmlXml(doc: SyncmlDocument): string {
  return `<?xml version="1.0" encoding="UTF-8"?>${elementXml(doc.root, undefined)}`;
}
