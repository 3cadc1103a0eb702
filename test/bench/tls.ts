// Full TLS handshakes per second, side by side: the legacy endpoint (node-forge, TLS 1.0, RSA key
// exchange, the RSA decryption in JavaScript) against modern HTTPS (Node's OpenSSL, TLS 1.3, and
// TLS 1.2 with ECDHE). The servers run in a child process, so client and server use separate cores;
// each connection is a new one with no session to resume: every handshake is a full one.
//
// `handshakesPerSecond()` for `npm run bench`; `node test/bench/tls.ts` prints the table alone.
// Forked with `--serve`, this file is the child: it starts both servers and reports their ports.
import { fork } from 'node:child_process';
import { connect, type ConnectionOptions } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { selfSigned, startHttps } from '../../gateway/tls.ts';
import { startLegacyTls } from '../../gateway/legacy-tls.ts';

const HOST = '127.0.0.1';

export interface HandshakeResult {
  /** What was measured, e.g. "legacy TLS 1.0 AES128-SHA (forge)". */
  label: string;
  handshakes: number;
  errors: number;
  seconds: number;
  perSecond: number;
  /** Server CPU time per handshake, in milliseconds (the child's user + system time). */
  serverCpuMs: number;
}

export interface HandshakeOptions {
  /** Seconds of handshaking per endpoint, in two alternated halves (default 2). */
  seconds?: number;
  /** Handshakes in flight at once (default 8). */
  concurrency?: number;
  /** At most this many handshakes per endpoint, however fast (default 20,000). */
  maxHandshakes?: number;
}

const CLIENTS: { label: string; port: 'legacy' | 'modern'; options: ConnectionOptions }[] = [
  // Node's OpenSSL 3 allows TLS 1.0 and its SHA-1 handshake only at security level 0.
  { label: 'legacy  TLS 1.0 AES128-SHA (node-forge)', port: 'legacy', options: { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'AES128-SHA:@SECLEVEL=0' } },
  { label: 'modern  TLS 1.3 (OpenSSL)', port: 'modern', options: { minVersion: 'TLSv1.3' } },
  { label: 'modern  TLS 1.2 ECDHE-RSA (OpenSSL)', port: 'modern', options: { maxVersion: 'TLSv1.2' } },
];

/** One full handshake; resolves true when it completed. */
function handshake(port: number, options: ConnectionOptions): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port, rejectUnauthorized: false, ...options }, () => {
      resolve(true);
      socket.destroy();
    });
    socket.setTimeout(5000, () => socket.destroy());
    socket.on('error', () => resolve(false));
    socket.on('close', () => resolve(false));
  });
}

/** Handshakes for `seconds`, `concurrency` at a time, stopping at `limit`. */
async function round(port: number, options: ConnectionOptions, seconds: number, concurrency: number, limit: number) {
  let handshakes = 0;
  let errors = 0;
  let started = 0;
  const start = performance.now();
  const until = start + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < until && started < limit) {
        started++;
        if (await handshake(port, options)) handshakes++;
        else errors++;
      }
    }),
  );
  return { handshakes, errors, seconds: (performance.now() - start) / 1000 };
}

/** Full handshakes per second on the legacy and the modern endpoint, measured in one run. */
export async function handshakesPerSecond(options: HandshakeOptions = {}): Promise<HandshakeResult[]> {
  const seconds = options.seconds ?? 2;
  const concurrency = options.concurrency ?? 8;
  const maxHandshakes = options.maxHandshakes ?? 20_000;
  const child = fork(import.meta.filename, ['--serve'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const next = <T>() =>
    new Promise<T>((resolve, reject) => {
      const onMessage = (m: unknown) => {
        child.off('exit', onExit);
        resolve(m as T);
      };
      const onExit = () => {
        child.off('message', onMessage);
        reject(new Error('the TLS bench server exited'));
      };
      child.once('message', onMessage);
      child.once('exit', onExit);
    });
  const cpu = async () => {
    const reply = next<{ cpu: NodeJS.CpuUsage }>();
    child.send('cpu');
    const { user, system } = (await reply).cpu;
    return (user + system) / 1000;
  };
  try {
    const ports = await next<{ legacy: number; modern: number }>();
    const totals = CLIENTS.map((c) => ({ label: c.label, handshakes: 0, errors: 0, seconds: 0, cpuMs: 0 }));
    for (const client of CLIENTS) await round(ports[client.port], client.options, 0.2, concurrency, 50); // warm up
    for (let half = 0; half < 2; half++) {
      for (const [i, client] of CLIENTS.entries()) {
        const before = await cpu();
        const r = await round(ports[client.port], client.options, seconds / 2, concurrency, Math.ceil(maxHandshakes / 2));
        totals[i].cpuMs += (await cpu()) - before;
        totals[i].handshakes += r.handshakes;
        totals[i].errors += r.errors;
        totals[i].seconds += r.seconds;
      }
    }
    return totals.map((t) => ({
      label: t.label,
      handshakes: t.handshakes,
      errors: t.errors,
      seconds: t.seconds,
      perSecond: t.handshakes / t.seconds,
      serverCpuMs: t.handshakes ? t.cpuMs / t.handshakes : NaN,
    }));
  } finally {
    child.kill();
  }
}

/** The results as the bench prints them. */
export function formatHandshakes(results: HandshakeResult[]): string {
  const lines = ['## Full TLS handshakes per second (new connection each, 8 in flight, server in its own process, RSA 2048 key)'];
  for (const r of results) {
    lines.push(`${r.label.padEnd(40)}${r.perSecond.toFixed(0).padStart(7)} handshakes/s  ${r.serverCpuMs.toFixed(2).padStart(6)} ms server CPU each  (${r.handshakes} in ${r.seconds.toFixed(1)} s, ${r.errors} errors)`);
  }
  const legacy = results[0];
  const modern = results[1];
  if (legacy && modern && legacy.perSecond > 0) lines.push(`modern TLS 1.3 / legacy TLS 1.0: ${(modern.perSecond / legacy.perSecond).toFixed(1)}x the handshakes per second`);
  return lines.join('\n');
}

async function serve(): Promise<void> {
  const { cert, key } = selfSigned('localhost');
  const answer = (_req: unknown, res: { end(body: string): void }) => res.end('ok');
  const modern = await startHttps(answer, { port: 0, host: HOST, cert, key });
  const legacy = await startLegacyTls(answer, { port: 0, host: HOST, cert, key, maxConnections: 1024, log: () => {} });
  process.on('message', (m) => m === 'cpu' && process.send!({ cpu: process.cpuUsage() }));
  process.on('disconnect', () => process.exit(0));
  process.send!({ legacy: legacy.port, modern: (modern.address() as AddressInfo).port });
}

if (process.argv[2] === '--serve') await serve();
else if (import.meta.main) console.log(formatHandshakes(await handshakesPerSecond({ seconds: Number(process.env.BENCH_SECONDS || 2) })));
