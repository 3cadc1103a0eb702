// A small round-robin HTTP load balancer for tests of stateless gateways: each request goes to
// the next backend in turn; a backend that refuses the connection is skipped (as when its
// process died), and the request goes to the next one. It notes which backend served what.
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Balancer {
  base: string;
  /** The index of the backend that answered each request, in order. */
  served: number[];
  close(): Promise<void>;
}

export async function startBalancer(backends: readonly string[]): Promise<Balancer> {
  const served: number[] = [];
  let next = 0;
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    for (let tries = 0; tries < backends.length; tries++) {
      const index = next++ % backends.length;
      try {
        const answer = await forward(backends[index], req, body);
        served.push(index);
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        return;
      } catch {
        // Refused or reset before an answer: the next backend gets the request.
      }
    }
    res.writeHead(502).end('no backend answered');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    served,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function forward(backend: string, req: IncomingMessage, body: Buffer): Promise<IncomingMessage> {
  const url = new URL(req.url ?? '/', backend);
  return new Promise((resolve, reject) => {
    // The client's Host goes through unchanged, as a balancer's does: absolute URLs a backend
    // builds from it (a SyncML RespURI) lead back here, not past the balancer to that backend.
    const out = request(url, { method: req.method, headers: req.headers, agent: false }, resolve);
    out.on('error', reject);
    out.end(body);
  });
}
