// The WBXML token tables of WML 1.1, 1.2 and 1.3, as data.
// Sources: WAP-192 (WBXML 1.3, "Global tokens"), WAP-191 (WML 1.3, appendix "WML Encoding":
// "Tag tokens", "Attribute start tokens", "Attribute value tokens"), and the WML 1.1/1.2
// specifications (SPEC-WML-19990616, SPEC-WML-19991104) for what each version has. Every value was
// checked against libwbxml's tables (src/wbxml_tables.c), Kannel's (gw/wml_definitions.h) and
// Wireshark's WBXML dissector: all agree but on `ordered` (see ORDERED below); Kannel lacks the
// WML 1.2/1.3 rows.
// Everything is code page 0: WML defines no other page.

/** A WML version, as named by its public identifier. */
export type WmlVersion = '1.1' | '1.2' | '1.3';

/** WBXML global tokens (WAP-192 §7.1), the same in every code page. */
export const GLOBAL = {
  SWITCH_PAGE: 0x00,
  END: 0x01,
  ENTITY: 0x02,
  STR_I: 0x03,
  LITERAL: 0x04,
  EXT_I_0: 0x40,
  EXT_I_1: 0x41,
  EXT_I_2: 0x42,
  PI: 0x43,
  LITERAL_C: 0x44,
  EXT_T_0: 0x80,
  EXT_T_1: 0x81,
  EXT_T_2: 0x82,
  STR_T: 0x83,
  LITERAL_A: 0x84,
  EXT_0: 0xc0,
  EXT_1: 0xc1,
  EXT_2: 0xc2,
  OPAQUE: 0xc3,
  LITERAL_AC: 0xc4,
} as const;

/** Bits of a tag token (WAP-192 §5.8.2): the element has attributes / has content. */
export const TAG_ATTRIBUTES = 0x80;
export const TAG_CONTENT = 0x40;

/** True for the global tokens, which occupy 0x00–0x04, 0x40–0x44, 0x80–0x84 and 0xC0–0xC4 of every page. */
export function isGlobal(token: number): boolean {
  return (token & 0x3f) <= 0x04;
}

/**
 * WML variable references in WBXML (WAP-191 appendix, "Variable References"): the extension
 * tokens carry the variable's name, inline (EXT_I_n, a termstr) or in the string table (EXT_T_n).
 * EXT_0..EXT_2 and OPAQUE have no meaning in WML.
 */
export type Conversion = 'escape' | 'unesc' | 'noesc';
export const VARIABLE_TOKENS: Record<Conversion, { inline: number; table: number }> = {
  escape: { inline: GLOBAL.EXT_I_0, table: GLOBAL.EXT_T_0 }, // $(name:escape), $(name:e)
  unesc: { inline: GLOBAL.EXT_I_1, table: GLOBAL.EXT_T_1 }, // $(name:unesc), $(name:u)
  noesc: { inline: GLOBAL.EXT_I_2, table: GLOBAL.EXT_T_2 }, // $(name), $name, $(name:noesc), $(name:n)
};

/** The WBXML version byte (WAP-192 §5.4): major − 1 in the high nibble, minor in the low one. */
export const WBXML_VERSIONS = { '1.1': 0x01, '1.2': 0x02, '1.3': 0x03 } as const;
export type WbxmlVersion = keyof typeof WBXML_VERSIONS;

/** IANA MIBenum of UTF-8 (the only charset we write; the decoder also reads US-ASCII and ISO-8859-1). */
export const CHARSET_UTF8 = 106;
export const CHARSET_US_ASCII = 3;
export const CHARSET_ISO_8859_1 = 4;

/** The documents we speak: public identifier token (WAP-192 §7.2.1), formal public identifier, system id. */
export const WML_DOCUMENTS: Record<WmlVersion, { publicId: number; fpi: string; systemId: string }> = {
  '1.1': { publicId: 0x04, fpi: '-//WAPFORUM//DTD WML 1.1//EN', systemId: 'http://www.wapforum.org/DTD/wml_1.1.xml' },
  '1.2': { publicId: 0x09, fpi: '-//WAPFORUM//DTD WML 1.2//EN', systemId: 'http://www.wapforum.org/DTD/wml12.dtd' },
  '1.3': { publicId: 0x0a, fpi: '-//WAPFORUM//DTD WML 1.3//EN', systemId: 'http://www.wapforum.org/DTD/wml13.dtd' },
};

/** Which WML version a public identifier token names, or undefined (0x02 is WML 1.0, which we do not speak). */
export function wmlVersionOf(publicId: number): WmlVersion | undefined {
  return (Object.keys(WML_DOCUMENTS) as WmlVersion[]).find((v) => WML_DOCUMENTS[v].publicId === publicId);
}

/** Which WML version a formal public identifier names (`-//WAPFORUM//DTD WML 1.2//EN`), or undefined. */
export function wmlVersionOfFpi(fpi: string): WmlVersion | undefined {
  return (Object.keys(WML_DOCUMENTS) as WmlVersion[]).find((v) => WML_DOCUMENTS[v].fpi === fpi);
}

/** A row of a table: its token, and the first version of WML that has it. */
interface Row {
  token: number;
  since: WmlVersion;
}

/** Tag tokens, code page 0 (WAP-191 appendix, "Tag Tokens"). 0x3A is unused. */
export const TAGS: ReadonlyArray<Row & { name: string }> = [
  { token: 0x1b, name: 'pre', since: '1.2' },
  { token: 0x1c, name: 'a', since: '1.1' },
  { token: 0x1d, name: 'td', since: '1.1' },
  { token: 0x1e, name: 'tr', since: '1.1' },
  { token: 0x1f, name: 'table', since: '1.1' },
  { token: 0x20, name: 'p', since: '1.1' },
  { token: 0x21, name: 'postfield', since: '1.1' },
  { token: 0x22, name: 'anchor', since: '1.1' },
  { token: 0x23, name: 'access', since: '1.1' },
  { token: 0x24, name: 'b', since: '1.1' },
  { token: 0x25, name: 'big', since: '1.1' },
  { token: 0x26, name: 'br', since: '1.1' },
  { token: 0x27, name: 'card', since: '1.1' },
  { token: 0x28, name: 'do', since: '1.1' },
  { token: 0x29, name: 'em', since: '1.1' },
  { token: 0x2a, name: 'fieldset', since: '1.1' },
  { token: 0x2b, name: 'go', since: '1.1' },
  { token: 0x2c, name: 'head', since: '1.1' },
  { token: 0x2d, name: 'i', since: '1.1' },
  { token: 0x2e, name: 'img', since: '1.1' },
  { token: 0x2f, name: 'input', since: '1.1' },
  { token: 0x30, name: 'meta', since: '1.1' },
  { token: 0x31, name: 'noop', since: '1.1' },
  { token: 0x32, name: 'prev', since: '1.1' },
  { token: 0x33, name: 'onevent', since: '1.1' },
  { token: 0x34, name: 'optgroup', since: '1.1' },
  { token: 0x35, name: 'option', since: '1.1' },
  { token: 0x36, name: 'refresh', since: '1.1' },
  { token: 0x37, name: 'select', since: '1.1' },
  { token: 0x38, name: 'small', since: '1.1' },
  { token: 0x39, name: 'strong', since: '1.1' },
  { token: 0x3b, name: 'template', since: '1.1' },
  { token: 0x3c, name: 'timer', since: '1.1' },
  { token: 0x3d, name: 'u', since: '1.1' },
  { token: 0x3e, name: 'setvar', since: '1.1' },
  { token: 0x3f, name: 'wml', since: '1.1' },
];

/**
 * Attribute start tokens, code page 0 (WAP-191 appendix, "Attribute Start Tokens"): an attribute
 * name and, for many, the start of its value (`href="http://`, `type="accept"`). The value goes on
 * with attribute value tokens and strings. Unused in WML 1.1–1.3: 0x0E, 0x17, 0x2B–0x2D
 * (WML 1.0's postdata/public), 0x51.
 */
export const ATTRIBUTE_STARTS: ReadonlyArray<Row & { name: string; value: string }> = [
  { token: 0x05, name: 'accept-charset', value: '', since: '1.1' },
  { token: 0x06, name: 'align', value: 'bottom', since: '1.1' },
  { token: 0x07, name: 'align', value: 'center', since: '1.1' },
  { token: 0x08, name: 'align', value: 'left', since: '1.1' },
  { token: 0x09, name: 'align', value: 'middle', since: '1.1' },
  { token: 0x0a, name: 'align', value: 'right', since: '1.1' },
  { token: 0x0b, name: 'align', value: 'top', since: '1.1' },
  { token: 0x0c, name: 'alt', value: '', since: '1.1' },
  { token: 0x0d, name: 'content', value: '', since: '1.1' },
  { token: 0x0f, name: 'domain', value: '', since: '1.1' },
  { token: 0x10, name: 'emptyok', value: 'false', since: '1.1' },
  { token: 0x11, name: 'emptyok', value: 'true', since: '1.1' },
  { token: 0x12, name: 'format', value: '', since: '1.1' },
  { token: 0x13, name: 'height', value: '', since: '1.1' },
  { token: 0x14, name: 'hspace', value: '', since: '1.1' },
  { token: 0x15, name: 'ivalue', value: '', since: '1.1' },
  { token: 0x16, name: 'iname', value: '', since: '1.1' },
  { token: 0x18, name: 'label', value: '', since: '1.1' },
  { token: 0x19, name: 'localsrc', value: '', since: '1.1' },
  { token: 0x1a, name: 'maxlength', value: '', since: '1.1' },
  { token: 0x1b, name: 'method', value: 'get', since: '1.1' },
  { token: 0x1c, name: 'method', value: 'post', since: '1.1' },
  { token: 0x1d, name: 'mode', value: 'nowrap', since: '1.1' },
  { token: 0x1e, name: 'mode', value: 'wrap', since: '1.1' },
  { token: 0x1f, name: 'multiple', value: 'false', since: '1.1' },
  { token: 0x20, name: 'multiple', value: 'true', since: '1.1' },
  { token: 0x21, name: 'name', value: '', since: '1.1' },
  { token: 0x22, name: 'newcontext', value: 'false', since: '1.1' },
  { token: 0x23, name: 'newcontext', value: 'true', since: '1.1' },
  { token: 0x24, name: 'onpick', value: '', since: '1.1' },
  { token: 0x25, name: 'onenterbackward', value: '', since: '1.1' },
  { token: 0x26, name: 'onenterforward', value: '', since: '1.1' },
  { token: 0x27, name: 'ontimer', value: '', since: '1.1' },
  { token: 0x28, name: 'optional', value: 'false', since: '1.1' },
  { token: 0x29, name: 'optional', value: 'true', since: '1.1' },
  { token: 0x2a, name: 'path', value: '', since: '1.1' },
  { token: 0x2e, name: 'scheme', value: '', since: '1.1' },
  { token: 0x2f, name: 'sendreferer', value: 'false', since: '1.1' },
  { token: 0x30, name: 'sendreferer', value: 'true', since: '1.1' },
  { token: 0x31, name: 'size', value: '', since: '1.1' },
  { token: 0x32, name: 'src', value: '', since: '1.1' },
  // ORDERED: the one boolean pair whose `true` comes first. libwbxml has true 0x33, false 0x34;
  // Kannel's gw/wml_definitions.h and Wireshark's WBXML dissector have them the other way round
  // (as if following the false-then-true pattern of emptyok, multiple, newcontext…). Our templates
  // never write `ordered`; we follow libwbxml, the independent decoder our tests run.
  { token: 0x33, name: 'ordered', value: 'true', since: '1.1' },
  { token: 0x34, name: 'ordered', value: 'false', since: '1.1' },
  { token: 0x35, name: 'tabindex', value: '', since: '1.1' },
  { token: 0x36, name: 'title', value: '', since: '1.1' },
  { token: 0x37, name: 'type', value: '', since: '1.1' },
  { token: 0x38, name: 'type', value: 'accept', since: '1.1' },
  { token: 0x39, name: 'type', value: 'delete', since: '1.1' },
  { token: 0x3a, name: 'type', value: 'help', since: '1.1' },
  { token: 0x3b, name: 'type', value: 'password', since: '1.1' },
  { token: 0x3c, name: 'type', value: 'onpick', since: '1.1' },
  { token: 0x3d, name: 'type', value: 'onenterbackward', since: '1.1' },
  { token: 0x3e, name: 'type', value: 'onenterforward', since: '1.1' },
  { token: 0x3f, name: 'type', value: 'ontimer', since: '1.1' },
  // 0x40–0x44 are global tokens: the table goes on at 0x45.
  { token: 0x45, name: 'type', value: 'options', since: '1.1' },
  { token: 0x46, name: 'type', value: 'prev', since: '1.1' },
  { token: 0x47, name: 'type', value: 'reset', since: '1.1' },
  { token: 0x48, name: 'type', value: 'text', since: '1.1' },
  { token: 0x49, name: 'type', value: 'vnd.', since: '1.1' },
  { token: 0x4a, name: 'href', value: '', since: '1.1' },
  { token: 0x4b, name: 'href', value: 'http://', since: '1.1' },
  { token: 0x4c, name: 'href', value: 'https://', since: '1.1' },
  { token: 0x4d, name: 'value', value: '', since: '1.1' },
  { token: 0x4e, name: 'vspace', value: '', since: '1.1' },
  { token: 0x4f, name: 'width', value: '', since: '1.1' },
  { token: 0x50, name: 'xml:lang', value: '', since: '1.1' },
  { token: 0x52, name: 'align', value: '', since: '1.1' },
  { token: 0x53, name: 'columns', value: '', since: '1.1' },
  { token: 0x54, name: 'class', value: '', since: '1.1' },
  { token: 0x55, name: 'id', value: '', since: '1.1' },
  { token: 0x56, name: 'forua', value: 'false', since: '1.1' },
  { token: 0x57, name: 'forua', value: 'true', since: '1.1' },
  { token: 0x58, name: 'src', value: 'http://', since: '1.1' },
  { token: 0x59, name: 'src', value: 'https://', since: '1.1' },
  { token: 0x5a, name: 'http-equiv', value: '', since: '1.1' },
  { token: 0x5b, name: 'http-equiv', value: 'Content-Type', since: '1.1' },
  { token: 0x5c, name: 'content', value: 'application/vnd.wap.wmlc;charset=', since: '1.1' },
  { token: 0x5d, name: 'http-equiv', value: 'Expires', since: '1.1' },
  { token: 0x5e, name: 'accesskey', value: '', since: '1.2' },
  { token: 0x5f, name: 'enctype', value: '', since: '1.2' },
  { token: 0x60, name: 'enctype', value: 'application/x-www-form-urlencoded', since: '1.2' },
  { token: 0x61, name: 'enctype', value: 'multipart/form-data', since: '1.2' },
  { token: 0x62, name: 'xml:space', value: 'preserve', since: '1.3' },
  { token: 0x63, name: 'xml:space', value: 'default', since: '1.3' },
  { token: 0x64, name: 'cache-control', value: 'no-cache', since: '1.3' },
];

/**
 * Attribute value tokens, code page 0 (WAP-191 appendix, "Attribute Value Tokens"): they may
 * stand anywhere in any attribute value. 0x92 and 0x9C are unused (WML 1.0's `list` and `set`).
 */
export const ATTRIBUTE_VALUES: ReadonlyArray<Row & { value: string }> = [
  { token: 0x85, value: '.com/', since: '1.1' },
  { token: 0x86, value: '.edu/', since: '1.1' },
  { token: 0x87, value: '.net/', since: '1.1' },
  { token: 0x88, value: '.org/', since: '1.1' },
  { token: 0x89, value: 'accept', since: '1.1' },
  { token: 0x8a, value: 'bottom', since: '1.1' },
  { token: 0x8b, value: 'clear', since: '1.1' },
  { token: 0x8c, value: 'delete', since: '1.1' },
  { token: 0x8d, value: 'help', since: '1.1' },
  { token: 0x8e, value: 'http://', since: '1.1' },
  { token: 0x8f, value: 'http://www.', since: '1.1' },
  { token: 0x90, value: 'https://', since: '1.1' },
  { token: 0x91, value: 'https://www.', since: '1.1' },
  { token: 0x93, value: 'middle', since: '1.1' },
  { token: 0x94, value: 'nowrap', since: '1.1' },
  { token: 0x95, value: 'onpick', since: '1.1' },
  { token: 0x96, value: 'onenterbackward', since: '1.1' },
  { token: 0x97, value: 'onenterforward', since: '1.1' },
  { token: 0x98, value: 'ontimer', since: '1.1' },
  { token: 0x99, value: 'options', since: '1.1' },
  { token: 0x9a, value: 'password', since: '1.1' },
  { token: 0x9b, value: 'reset', since: '1.1' },
  { token: 0x9d, value: 'text', since: '1.1' },
  { token: 0x9e, value: 'top', since: '1.1' },
  { token: 0x9f, value: 'unknown', since: '1.1' },
  { token: 0xa0, value: 'wrap', since: '1.1' },
  { token: 0xa1, value: 'www.', since: '1.1' },
];

/**
 * Elements whose content model has no #PCDATA (WML DTD): whitespace between their children is
 * ignorable (XML 1.0 §2.10), and a phone's tokeniser must not see it as text.
 */
export const ELEMENT_ONLY: ReadonlySet<string> = new Set([
  'wml', 'head', 'template', 'card', 'do', 'onevent', 'go', 'prev', 'refresh', 'noop', 'select', 'optgroup',
  'table', 'tr', 'access', 'meta', 'postfield', 'setvar', 'timer', 'input', 'img', 'br',
]);

/** The tables of one WML version, indexed both ways. */
export interface WmlTables {
  version: WmlVersion;
  tagByName: ReadonlyMap<string, number>;
  tagByToken: ReadonlyMap<number, string>;
  /** Attribute start rows by attribute name, the longest value prefix first. */
  startsByName: ReadonlyMap<string, ReadonlyArray<{ token: number; value: string }>>;
  startByToken: ReadonlyMap<number, { name: string; value: string }>;
  /** Attribute value tokens, the longest value first. */
  values: ReadonlyArray<{ token: number; value: string }>;
  valueByToken: ReadonlyMap<number, string>;
}

const ORDER: Record<WmlVersion, number> = { '1.1': 1, '1.2': 2, '1.3': 3 };

function build(version: WmlVersion): WmlTables {
  const has = (row: Row) => ORDER[row.since] <= ORDER[version];
  const tags = TAGS.filter(has);
  const starts = ATTRIBUTE_STARTS.filter(has);
  const values = ATTRIBUTE_VALUES.filter(has);
  const startsByName = new Map<string, Array<{ token: number; value: string }>>();
  for (const s of starts) {
    const list = startsByName.get(s.name) ?? [];
    list.push({ token: s.token, value: s.value });
    startsByName.set(s.name, list);
  }
  for (const list of startsByName.values()) list.sort((a, b) => b.value.length - a.value.length || a.token - b.token);
  return {
    version,
    tagByName: new Map(tags.map((t) => [t.name, t.token])),
    tagByToken: new Map(tags.map((t) => [t.token, t.name])),
    startsByName,
    startByToken: new Map(starts.map((s) => [s.token, { name: s.name, value: s.value }])),
    values: values.map((v) => ({ token: v.token, value: v.value })).sort((a, b) => b.value.length - a.value.length || a.token - b.token),
    valueByToken: new Map(values.map((v) => [v.token, v.value])),
  };
}

const TABLES: Record<WmlVersion, WmlTables> = { '1.1': build('1.1'), '1.2': build('1.2'), '1.3': build('1.3') };

/** The token tables of a WML version. */
export function wmlTables(version: WmlVersion): WmlTables {
  return TABLES[version];
}
