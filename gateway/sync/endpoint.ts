// The HTTP side of the SyncML server: POST /sync with a SyncML message (XML, or WBXML through the
// SyncML code pages of transcode/wbxml), answered
// in the same encoding. A body that is not SyncML gets an HTTP error: there is no SyncML header to
// answer it in.
import type Koa from 'koa';
import type { Portal } from '../../core/portal.ts';
import { parseSyncml, toXml } from '../../transcode/syncml/tree.ts';
import { decodeKeepingBytes } from '../../transcode/syncml/item-bytes.ts';
import { decodeSyncml, encodeSyncml, toSyncmlXml } from '../../transcode/wbxml/syncml.ts';
import { NotSyncml, SyncmlServer } from './server.ts';

export const SYNCML_XML = 'application/vnd.syncml+xml';
export const SYNCML_WBXML = 'application/vnd.syncml+wbxml';
const MAX_BODY = 8_000_000;

async function readBody(req: NodeJS.ReadableStream): Promise<Buffer | undefined> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) return undefined;
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts);
}

/** Middleware answering `/sync`; everything else goes on down the chain. */
export function syncEndpoint(portal: Portal, log?: (err: unknown) => void): Koa.Middleware {
  const server = new SyncmlServer(portal, { log });
  return async (ctx, next) => {
    if (ctx.path !== '/sync') return next();
    if (ctx.method !== 'POST') {
      ctx.status = 405;
      ctx.set('Allow', 'POST');
      ctx.type = 'text/plain';
      ctx.body = 'POST a SyncML message here.\n';
      return;
    }
    const type = (ctx.get('content-type').split(';')[0] ?? '').trim().toLowerCase();
    if (type !== SYNCML_XML && type !== SYNCML_WBXML) {
      ctx.status = 415;
      ctx.type = 'text/plain';
      ctx.body = `SyncML is posted as ${SYNCML_XML} or ${SYNCML_WBXML}.\n`;
      return;
    }
    const wbxml = type === SYNCML_WBXML;
    const body = await readBody(ctx.req);
    if (!body) {
      ctx.status = 413;
      ctx.type = 'text/plain';
      ctx.body = 'This message is too large.\n';
      return;
    }
    let message;
    try {
      // WBXML is read as the XML it stands for, and the answer written back the same way. Bytes
      // that are not UTF-8 are kept for the item they belong to (transcode/syncml/item-bytes.ts).
      message = parseSyncml(wbxml ? toSyncmlXml(decodeSyncml(body)) : decodeKeepingBytes(body), { keptBytes: true });
    } catch (err) {
      ctx.status = 400;
      ctx.type = 'text/plain';
      ctx.body = `Not a SyncML message: ${(err as Error).message}\n`;
      return;
    }
    try {
      const url = new URL(ctx.href);
      const answer = await server.handle(message.root, message.version, url);
      const xml = toXml(answer.root, answer.version);
      ctx.type = type;
      ctx.body = wbxml ? encodeSyncml(xml) : xml;
    } catch (err) {
      if (!(err instanceof NotSyncml)) throw err;
      ctx.status = 400;
      ctx.type = 'text/plain';
      ctx.body = `Not a SyncML message: ${err.message}\n`;
    }
  };
}
