// A loopback TCP proxy that cuts a sync off: it passes requests through until the n-th, lets the
// server answer it, then drops the connection instead of the answer and refuses every connection
// after, as a network that fails mid-package would. `pass()` makes it transparent again. It counts
// the bytes each way, for measuring what goes on the wire.
import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

export class Cutter {
  readonly #server: Server;
  readonly #target: { host: string; port: number };
  readonly #sockets = new Set<Socket>();
  #cutAt = Infinity;
  #requests = 0;
  #cut = false;
  port = 0;
  /** Bytes client → server and back, headers included. */
  bytesUp = 0;
  bytesDown = 0;

  private constructor(target: URL) {
    this.#target = { host: target.hostname, port: Number(target.port) };
    this.#server = createServer((client) => this.#connection(client));
  }

  /** A proxy to `target` (an http:// URL) on a free loopback port. */
  static async start(target: string): Promise<Cutter> {
    const cutter = new Cutter(new URL(target));
    await new Promise<void>((resolve) => cutter.#server.listen(0, '127.0.0.1', resolve));
    cutter.port = (cutter.#server.address() as AddressInfo).port;
    return cutter;
  }

  /** Cut off at the answer to the n-th request from now. */
  cutAfter(n: number): void {
    this.#requests = 0;
    this.#cutAt = n;
    this.#cut = false;
  }

  pass(): void {
    this.#cutAt = Infinity;
    this.#cut = false;
  }

  get wasCut(): boolean {
    return this.#cut;
  }

  #connection(client: Socket) {
    if (this.#cut) {
      client.destroy();
      return;
    }
    const upstream = connect(this.#target);
    for (const s of [client, upstream]) {
      this.#sockets.add(s);
      s.on('close', () => this.#sockets.delete(s));
      s.on('error', () => {});
    }
    let last = 0;
    client.on('data', (chunk: Buffer) => {
      // A new request starts with its method: SyncML clients only POST.
      for (let i = chunk.indexOf('POST '); i >= 0; i = chunk.indexOf('POST ', i + 1)) last = ++this.#requests;
      this.bytesUp += chunk.length;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk: Buffer) => {
      if (last >= this.#cutAt) {
        this.#cut = true;
        client.destroy();
        upstream.destroy();
        return;
      }
      this.bytesDown += chunk.length;
      client.write(chunk);
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}
