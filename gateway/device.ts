// Device class detection: which markup, how many bytes a page may take, which charset.
// A pure function of the request headers and an explicit override, driven by tables.
export type Markup = 'wml' | 'chtml' | 'html';
export type Charset = 'utf-8' | 'shift_jis';

export interface Device {
  markup: Markup;
  /** Most bytes one page may take on the wire, after encoding. */
  budget: number;
  charset: Charset;
}

export interface DeviceHints {
  accept?: string;
  userAgent?: string;
  /** `?device=wml|chtml|html`: forces a class, for testing from any browser. */
  override?: string;
}

/** Page budgets per class (bytes): a WAP 1.x deck, an early i-mode page, a dial-up page. */
export const BUDGETS: Record<Markup, number> = { wml: 1400, chtml: 5120, html: 10240 };

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

const WML_TYPES = /(^|,)\s*(text\/vnd\.wap\.wml|application\/vnd\.wap\.wmlc)\s*(;|,|$)/i;

function markupOf(hints: DeviceHints): Markup {
  const forced = hints.override?.toLowerCase();
  if (forced === 'wml' || forced === 'chtml' || forced === 'html') return forced;
  const ua = hints.userAgent ?? '';
  if (CHTML_AGENTS.some((re) => re.test(ua))) return 'chtml';
  if (WML_TYPES.test(hints.accept ?? '') || WAP_AGENTS.some((re) => re.test(ua))) return 'wml';
  return 'html';
}

export function detectDevice(hints: DeviceHints): Device {
  const markup = markupOf(hints);
  return { markup, budget: BUDGETS[markup], charset: markup === 'chtml' ? 'shift_jis' : 'utf-8' };
}
