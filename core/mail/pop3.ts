// Checking a POP3 mailbox with node-pop3: UIDL names every message; those whose UIDL the caller
// does not know yet are retrieved in order and handed to `take`. Mail stays on the server (no DELE),
// so a check cut short loses nothing, and the next one takes what is left.
import Pop3Command from 'node-pop3';
import type { Readable } from 'node:stream';
import type { Socket } from 'node:net';
import { conversation, type ServerLogin } from './server.ts';

export interface Pop3Message {
  uidl: string;
  raw: Buffer;
}

/** The bytes of a multi-line answer, dot-stuffing undone (RFC 1939, 3): node-pop3 leaves it in, and its RETR() decodes as UTF-8, which would spoil 8-bit mail. */
async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('latin1');
  return Buffer.from(raw.replace(/^\.\./, '.').replace(/\r\n\.\./g, '\r\n.'), 'latin1');
}

export async function checkPop3(server: ServerLogin, known: (uidl: string) => boolean, take: (m: Pop3Message) => Promise<void>, signal: AbortSignal): Promise<void> {
  const client = new Pop3Command({ host: server.host, port: server.port, tls: server.tls, user: server.login, password: server.password });
  const socket = () => (client as unknown as { _socket: Socket | null })._socket;
  await conversation(signal, () => socket()?.destroy(), async () => {
    const list = (await client.UIDL()) as string[][];
    // node-pop3 never ends a message's stream when the line drops in the middle of it: watch the socket.
    const dropped = new Promise<never>((_, fail) => socket()?.once('close', () => fail(Object.assign(new Error('connection closed'), { code: 'ECONNRESET' }))));
    dropped.catch(() => {});
    for (const [number, uidl] of list) {
      if (!uidl || known(uidl)) continue;
      const [, stream] = (await client.command('RETR', number)) as [string, Readable];
      await take({ uidl, raw: await Promise.race([bytesOf(stream), dropped]) });
      signal.throwIfAborted();
    }
    await client.QUIT();
  });
}
