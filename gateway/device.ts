// Device class detection: which markup, how many bytes a page may take, which charset.
// A pure function of the request headers (and of facts the caller looked up, such as the
// UAProf deck size) and an explicit override, driven by tables.
import { charsetOf } from '../transcode/charset.ts';
export type Markup = 'wml' | 'chtml' | 'html';
export type Charset = 'utf-8' | 'shift_jis';

/** Where a device's budget came from, most specific first. */
export type BudgetSource = 'sdu' | 'profile' | 'user-agent' | 'class';

export interface Device {
  markup: Markup;
  /** Most bytes one page may take on the wire, after encoding. */
  budget: number;
  /** Which hint decided `budget`: the gateway's SDU size, the UAProf profile, the User-Agent, or the class default. */
  budgetFrom: BudgetSource;
  charset: Charset;
  /** A WML device whose Accept prefers compiled WML (`application/vnd.wap.wmlc`) to textual WML. */
  wbxml: boolean;
  /** The screen in characters, where the device says (i-mode `W<cols>H<rows>`). */
  screen?: { cols: number; rows: number };
}

export interface DeviceHints {
  accept?: string;
  userAgent?: string;
  /** `?device=wml|chtml|html`: forces a class, for testing from any browser. */
  override?: string;
  /** The `X-WAP-Client-SDU-Size` header an operator WAP gateway (Kannel) forwards: the phone's declared maximum. */
  clientSduSize?: string;
  /** `WmlDeckSize` from the device's UAProf profile, looked up by the caller (see uaprof.ts). */
  profileDeckSize?: number;
  /** `Accept-Charset`: a cHTML handset that prefers UTF-8 gets it; the others get Shift_JIS. */
  acceptCharset?: string;
}

/**
 * Page budgets per class (bytes): a WAP 1.x deck (the Nokia 7110's 1,397 bytes, also the device
 * databases' default, counted on the compiled WBXML), an early i-mode page, a dial-up page.
 */
export const BUDGETS: Record<Markup, number> = { wml: 1397, chtml: 5120, html: 10240 };

/**
 * Bounds for a budget a device or its gateway declares. The smallest real declaration is about a
 * WAP 1.x deck (Kannel's default SDU is 1,400) and the largest an i-mode browser 2.0 cache (c500);
 * anything outside is a misconfigured gateway or a forged header. Below the floor not even a login
 * page fits, so every page would be "over budget"; above the ceiling a page would grow past what
 * any handset could keep (and the budget only ever makes pages longer, up to the list limits).
 */
export const MIN_BUDGET = 512;
export const MAX_BUDGET = 500 * 1024;

/** The i-mode page size when the User-Agent has no cache field: the 501i's 5 KB. */
const IMODE_DEFAULT_CACHE_KB = 5;

/** User-Agents of WAP 1.x browsers that may not say so in Accept (first match wins). */
const WAP_AGENTS: RegExp[] = [
  /^Nokia\d+\/1\./, // Nokia7110/1.0, Nokia6210/1.0: WML-only browsers
  /^(Ericsson|SonyEricsson)[A-Z]\d+/i,
  /^SIE-/, // Siemens
  /^MOT-/, // Motorola
  /^SAMSUNG-SGH/i,
  /UP\.Browser\/[3-5]\./, // Openwave before WAP 2 (XHTML) browsers
  /^Alcatel-/,
  /^Panasonic-/,
  /^SEC-SGH/,
];

/** cHTML handsets: i-mode, and the other Japanese carriers' compact-HTML browsers. */
const CHTML_AGENTS: RegExp[] = [/^DoCoMo\//, /^J-PHONE\//, /^(Vodafone|SoftBank)\//, /^KDDI-/];

const IMODE_AGENT = /^DoCoMo\//;

const WML_TYPES = /(^|,)\s*(text\/vnd\.wap\.wml|application\/vnd\.wap\.wmlc)\s*(;|,|$)/i;

function markupOf(hints: DeviceHints): Markup {
  const forced = hints.override?.toLowerCase();
  if (forced === 'wml' || forced === 'chtml' || forced === 'html') return forced;
  const ua = hints.userAgent ?? '';
  if (CHTML_AGENTS.some((re) => re.test(ua))) return 'chtml';
  if (WML_TYPES.test(hints.accept ?? '') || WAP_AGENTS.some((re) => re.test(ua))) return 'wml';
  return 'html';
}

/** A declared size within the bounds, or undefined when it says nothing usable. */
function declared(bytes: number | undefined): number | undefined {
  // 0 is no declaration: in WSP capability negotiation it means "no limit", and Kannel only
  // forwards the header when the size is positive. Negative or fractional values are noise.
  if (bytes === undefined || !Number.isSafeInteger(bytes) || bytes <= 0) return undefined;
  return Math.min(MAX_BUDGET, Math.max(MIN_BUDGET, bytes));
}

/** `X-WAP-Client-SDU-Size`: decimal digits only; past 2^53 (or any huge value) it is clamped like the rest. */
function sduSize(header: string | undefined): number | undefined {
  const digits = /^\s*(\d{1,20})\s*$/.exec(header ?? '');
  if (!digits) return undefined;
  const n = Number(digits[1]);
  return declared(Number.isSafeInteger(n) ? n : MAX_BUDGET);
}

interface ImodeFacts {
  cacheKb?: number;
  screen?: { cols: number; rows: number };
}

/**
 * The fields of an i-mode User-Agent: `DoCoMo/1.0/D505i/c20/TC/W20H10` (mova, `/`-separated)
 * and `DoCoMo/2.0 N901iS(c100;TB;W24H12)` (FOMA, in parentheses, `;`-separated).
 */
function imodeFields(ua: string): ImodeFacts {
  const facts: ImodeFacts = {};
  // The model is the third field of mova and follows the space in FOMA; the cache field is the only `c<digits>`.
  for (const field of ua.split(/[/();\s]+/).slice(2)) {
    const cache = /^c(\d{1,4})$/.exec(field);
    if (cache && facts.cacheKb === undefined) facts.cacheKb = Number(cache[1]);
    const screen = /^W(\d{1,3})H(\d{1,3})$/.exec(field);
    if (screen && !facts.screen && Number(screen[1]) > 0 && Number(screen[2]) > 0) facts.screen = { cols: Number(screen[1]), rows: Number(screen[2]) };
  }
  return facts;
}

interface MediaRange {
  type: string;
  q: number;
  order: number;
}

/** An Accept header as media ranges with their q-values, in the order sent. */
function mediaRanges(accept: string): MediaRange[] {
  return accept.split(',').flatMap((item, order) => {
    const [type, ...params] = item.split(';').map((s) => s.trim().toLowerCase());
    if (!type) return [];
    const qParam = params.find((p) => /^q\s*=/.test(p));
    const q = qParam === undefined ? 1 : Number(qParam.slice(qParam.indexOf('=') + 1).trim());
    return [{ type, q: Number.isFinite(q) ? Math.min(1, Math.max(0, q)) : 1, order }];
  });
}

/**
 * Whether Accept prefers compiled WML: it names `application/vnd.wap.wmlc` (q > 0) and either not
 * `text/vnd.wap.wml`, or that at a lower q, or at the same q but later in the list: WAP 1.x phones
 * send `application/vnd.wap.wmlc` first and `text/vnd.wap.wml` later, both without q.
 */
export function prefersWmlc(accept: string | undefined): boolean {
  const ranges = mediaRanges(accept ?? '');
  const wmlc = ranges.find((r) => r.type === 'application/vnd.wap.wmlc');
  if (!wmlc || wmlc.q === 0) return false;
  const wml = ranges.find((r) => r.type === 'text/vnd.wap.wml');
  if (!wml) return true;
  return wmlc.q > wml.q || (wmlc.q === wml.q && wmlc.order < wml.order);
}

/**
 * The budget, most specific first: what the gateway says the phone declared (any class: it is a
 * transport limit), the UAProf deck size (WML only: it is about decks), the i-mode cache field
 * (i-mode only; 5 KB when absent), then the class default.
 */
function budgetOf(markup: Markup, hints: DeviceHints, imode: ImodeFacts | undefined): { budget: number; budgetFrom: BudgetSource } {
  const sdu = sduSize(hints.clientSduSize);
  if (sdu !== undefined) return { budget: sdu, budgetFrom: 'sdu' };
  const deck = markup === 'wml' ? declared(hints.profileDeckSize) : undefined;
  if (deck !== undefined) return { budget: deck, budgetFrom: 'profile' };
  if (imode) {
    const kb = imode.cacheKb !== undefined ? declared(imode.cacheKb * 1024) : undefined;
    return kb !== undefined ? { budget: kb, budgetFrom: 'user-agent' } : { budget: IMODE_DEFAULT_CACHE_KB * 1024, budgetFrom: 'user-agent' };
  }
  return { budget: BUDGETS[markup], budgetFrom: 'class' };
}

/** Only a handset that names UTF-8 and ranks it first leaves Shift_JIS, the i-mode default. */
function prefersUtf8(acceptCharset: string | undefined): boolean {
  return !!acceptCharset && /utf-8/i.test(acceptCharset) && charsetOf(acceptCharset) === 'utf-8';
}

export function detectDevice(hints: DeviceHints): Device {
  const markup = markupOf(hints);
  const ua = hints.userAgent ?? '';
  // The cache field describes the i-mode browser; a page forced to another class keeps the class default.
  const imode = markup === 'chtml' && IMODE_AGENT.test(ua) ? imodeFields(ua) : undefined;
  const device: Device = {
    markup,
    ...budgetOf(markup, hints, imode),
    charset: markup === 'chtml' && !prefersUtf8(hints.acceptCharset) ? 'shift_jis' : 'utf-8',
    // Only a WML device is ever sent WBXML, whatever a desktop browser forced to another class accepts.
    wbxml: markup === 'wml' && prefersWmlc(hints.accept),
  };
  if (imode?.screen) device.screen = imode.screen;
  return device;
}
