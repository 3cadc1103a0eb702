// Reads a POSTed form (or a GET query) in the charset the handset used: i-mode posts Shift_JIS bytes.
import type { Middleware } from 'koa';
import type { GatewayState } from './context.ts';
import { charsetOf, decodeForm } from '../transcode/charset.ts';
import { PageError } from './errors.ts';
import { MAX_TEXT } from '../core/cell/fields.ts';

/**
 * The largest form read: a text value at its cap, percent-encoded (up to 12 bytes a character, for
 * a 4-byte UTF-8 one), and the rest of the form. A longer value is then refused by the core, in words,
 * with the form shown again, rather than cut off here as a form "too large to send".
 */
const LIMIT = MAX_TEXT * 12 + 64 * 1024;

async function readBody(stream: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    if (size > LIMIT) throw new PageError(413, 'This form is too large to send.');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export function formReader(): Middleware<GatewayState> {
  return async (ctx, next) => {
    // The request's own charset parameter if it sent one, else the charset its pages are served in.
    const type = ctx.get('content-type');
    const charset = /charset=/i.test(type) ? charsetOf(type) : ctx.state.device.charset;
    const raw = ctx.querystring ? Buffer.from(ctx.querystring, 'latin1') : Buffer.alloc(0);
    ctx.state.form = decodeForm(raw, ctx.state.device.charset);
    if (ctx.method === 'POST') {
      if (!ctx.is('application/x-www-form-urlencoded') && ctx.get('content-type')) throw new PageError(415, 'Send this form as application/x-www-form-urlencoded.');
      ctx.state.form = { ...ctx.state.form, ...decodeForm(await readBody(ctx.req), charset) };
    }
    await next();
  };
}
