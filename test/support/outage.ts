// Taking one cell's store away and bringing it back, on either store kind: a MariaDB cell is
// reached through a loopback TCP relay the test can cut (every connection dropped, new ones
// refused) and restore on the same port; a SQLite cell's file disappears behind a plain file
// where its directory was, and its open handle is closed, as when a disk goes away.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Portal } from '../../core/portal.ts';
import { freshDir, freshStoreUrl, storeKind } from './stores.ts';

export interface Outage {
  /** The store URL to register the cell with. */
  url: string;
  stop(portal: Portal, cellId: string): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

class Relay {
  readonly #to: { host: string; port: number };
  readonly #sockets = new Set<Socket>();
  #server: Server | undefined;
  port = 0;

  constructor(to: { host: string; port: number }) {
    this.#to = to;
  }

  async listen(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.#to);
      for (const s of [client, upstream]) {
        this.#sockets.add(s);
        s.on('close', () => this.#sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  async cut(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const s of this.#sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}

/** A store for one cell that `stop` makes unreachable and `start` brings back. */
export async function outageableStore(label: string): Promise<Outage> {
  if (storeKind() === 'mysql') {
    const real = new URL(freshStoreUrl(label));
    const relay = new Relay({ host: real.hostname, port: Number(real.port || 3306) });
    await relay.listen();
    const url = new URL(real);
    url.port = String(relay.port);
    return { url: url.toString(), stop: async () => relay.cut(), start: () => relay.listen(), close: () => relay.cut() };
  }
  const dir = `${freshDir(label)}/cell`;
  const aside = `${dir}.away`;
  mkdirSync(dir, { recursive: true });
  return {
    url: `sqlite:${dir}/store.sqlite`,
    async stop(portal, cellId) {
      renameSync(dir, aside);
      // A file where the directory was: opening the store again fails, as nothing creates it anew.
      writeFileSync(dir, 'gone');
      await (await portal.cell(cellId)).store.close();
    },
    async start() {
      rmSync(dir);
      renameSync(aside, dir);
    },
    async close() {},
  };
}
