// Renders a view for a device: the model cleaned for the markup, the template of that markup,
// the page encoded in the device's charset.
import nunjucks from 'nunjucks';
import type { Device, Markup } from './device.ts';
import { forHtml, forWml, mapStrings } from '../transcode/escape.ts';
import { encodeBody, type Charset } from '../transcode/charset.ts';

export interface Rendered {
  body: Buffer;
  contentType: string;
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
  const type = device.markup === 'wml' ? 'text/vnd.wap.wml' : 'text/html';
  return { body: encodeBody(text, charset), contentType: `${type}; charset=${label}` };
}
