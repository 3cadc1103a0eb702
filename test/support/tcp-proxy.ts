// A loopback TCP relay in front of a real server, for failures the real server will not make on
// demand: `down` refuses connections (nothing listens on the port), `stall` accepts and never
// answers (a hung server), `up` relays. The port stays the same through every mode.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export type ProxyMode = 'up' | 'down' | 'stall';

export class TcpProxy {
  readonly target: { host: string; port: number };
  port = 0;
  /** Connections accepted so far, and the most open at once. */
  accepted = 0;
  mostOpen = 0;
  #open = 0;
  #server: Server | undefined;
  #mode: ProxyMode = 'down';
  /** Bytes from the server after which the line drops (the proxy goes down). */
  cutAfter = Infinity;
  #relayed = 0;
  readonly #sockets = new Set<Socket>();

  constructor(target: { host: string; port: number }) {
    this.target = target;
  }

  /** Takes a free port and starts in `mode`. */
  async open(mode: ProxyMode = 'up'): Promise<this> {
    await this.set(mode === 'down' ? 'up' : mode);
    if (mode === 'down') await this.set('down');
    return this;
  }

  async set(mode: ProxyMode): Promise<void> {
    this.#mode = mode;
    if (mode === 'down') return this.#close();
    if (this.#server) return;
    const server = createServer((client) => {
      this.accepted++;
      this.mostOpen = Math.max(this.mostOpen, ++this.#open);
      this.#sockets.add(client);
      client.on('close', () => (this.#sockets.delete(client), this.#open--));
      client.on('error', () => {});
      if (this.#mode === 'stall') return;
      const upstream = connect(this.target.port, this.target.host);
      this.#sockets.add(upstream);
      upstream.on('close', () => (this.#sockets.delete(upstream), client.destroy()));
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      client.pipe(upstream);
      upstream.on('data', (chunk: Buffer) => {
        this.#relayed += chunk.length;
        if (this.#relayed > this.cutAfter) {
          this.cutAfter = Infinity;
          void this.set('down');
        } else client.write(chunk);
      });
    });
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(this.port, '127.0.0.1', () => resolve()));
    this.port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  async #close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    for (const s of this.#sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  close(): Promise<void> {
    return this.set('down');
  }
}
