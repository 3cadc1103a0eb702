// Renders a view for a device: the model cleaned for the markup, the template of that markup,
// the page encoded in the device's charset.
import nunjucks from 'nunjucks';
import type { Device, Markup } from './device.ts';
import { forHtml, forWml, mapStrings } from '../transcode/escape.ts';
import { encodeBody, type Charset } from '../transcode/charset.ts';
import { encodeWml } from '../transcode/wbxml/encode.ts';

export interface Rendered {
  body: Buffer;
  contentType: string;
  /**
   * The bytes that cross the air, which the page budget counts: for WML the compiled WBXML,
   * whether we send it or the operator gateway compiles our text; otherwise the body.
   */
  airBytes: number;
}

const TEMPLATES = `${import.meta.dirname}/../templates`;

function environment(markup: Markup): nunjucks.Environment {
  const loader = new nunjucks.FileSystemLoader(`${TEMPLATES}/${markup}`, { noCache: false });
  // trimBlocks/lstripBlocks: tags take no bytes of their own, which a 1,400-byte deck cannot spare.
  return new nunjucks.Environment(loader, { autoescape: true, trimBlocks: true, lstripBlocks: true, throwOnUndefined: false });
}

const ENVIRONMENTS: Record<Markup, nunjucks.Environment> = { wml: environment('wml'), chtml: environment('chtml'), html: environment('html') };

/** What each markup does to model strings before autoescaping: WML also doubles `$`. */
const CLEAN: Record<Markup, (s: string) => string> = { wml: forWml, chtml: forHtml, html: forHtml };

export function render(device: Device, view: string, model: object): Rendered {
  const charset: Charset = device.markup === 'chtml' && device.charset === 'shift_jis' ? 'shift_jis' : 'utf-8';
  const label = charset === 'shift_jis' ? 'Shift_JIS' : 'utf-8';
  // `pageCharset` is for the cHTML meta and form tags: the one thing a template needs from the device.
  const context = { ...mapStrings(model, CLEAN[device.markup]), pageCharset: label };
  const text = ENVIRONMENTS[device.markup].render(`${view}.njk`, context);
  if (device.markup !== 'wml') {
    const body = encodeBody(text, charset);
    return { body, contentType: `text/html; charset=${label}`, airBytes: body.length };
  }
  if (device.wbxml) {
    const compiled = encodeWml(text);
    return { body: compiled, contentType: 'application/vnd.wap.wmlc', airBytes: compiled.length };
  }
  // The operator gateway compiles text, and Kannel's compiler keeps no string table: every link
  // repeats the session path. Measured without one, a deck fits what the gateway will send.
  return { body: encodeBody(text, 'utf-8'), contentType: 'text/vnd.wap.wml; charset=utf-8', airBytes: encodeWml(text, { stringTable: false }).length };
}
