// TLS for the gateway: the certificate made once and reused; modern HTTPS that refuses TLS 1.0;
// the legacy TLS 1.0 endpoint (node-forge) reached by openssl, curl and Node's TLS 1.0 client, and
// robust against garbage, half handshakes and floods. Real sockets on 127.0.0.1 only.
import test, { type ExecutionContext } from 'ava';
import { spawn } from 'node:child_process';
import { createHash, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, unlinkSync } from 'node:fs';
import type { IncomingHttpHeaders, RequestListener } from 'node:http';
import { request as httpsRequest, type Server as HttpsServer } from 'node:https';
import { connect as netConnect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { duplexPair } from 'node:stream';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import forge from 'node-forge';
import { createApp } from '../../gateway/app.ts';
import { loadOrCreateCertificate, startHttps, CERT_FILE, KEY_FILE, type Certificate } from '../../gateway/tls.ts';
import { startLegacyTls, type LegacyTlsOptions, type LegacyTlsServer } from '../../gateway/legacy-tls.ts';
import { seedDemo } from '../../core/demo.ts';
import { closeTestPortals, openTestPortal } from '../support/system.ts';
import { HEADERS } from '../support/client.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const HOST = '127.0.0.1';

/** Node's TLS 1.0 client: OpenSSL 3 allows TLS 1.0 and SHA-1 only at security level 0. */
const TLS1: ConnectionOptions = { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'AES128-SHA:@SECLEVEL=0', rejectUnauthorized: false };
/** Verifying the generated certificate: it names localhost (and 127.0.0.1). */
const verifying = (): ConnectionOptions => ({ ca: certificate.cert, servername: 'localhost', rejectUnauthorized: true });
/** The openssl and curl command lines the README and the report give. */
const opensslTls1 = (port: number, cipher = 'AES128-SHA') => ['s_client', '-connect', `${HOST}:${port}`, '-tls1', '-cipher', `${cipher}:@SECLEVEL=0`, '-ign_eof'];
const curlTls1 = (port: number) => ['-sS', '--tlsv1.0', '--tls-max', '1.0', '--ciphers', 'AES128-SHA@SECLEVEL=0', '-k', `https://${HOST}:${port}/`];

let dir: string;
let certificate: Certificate;
let gateway: RequestListener;
const appErrors: unknown[] = [];
let https: HttpsServer;
let legacy: LegacyTlsServer;
const legacyLog: string[] = [];

test.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'gw-tls-'));
  certificate = loadOrCreateCertificate(dir);
  const portal = await openTestPortal();
  await seedDemo(portal);
  gateway = createApp(portal, { log: (err) => appErrors.push(err) }).callback();
  https = await startHttps(gateway, { port: 0, host: HOST, cert: certificate.cert, key: certificate.key });
  legacy = await startLegacyTls(gateway, { port: 0, host: HOST, cert: certificate.cert, key: certificate.key, log: (m) => legacyLog.push(m) });
});

test.after.always(async () => {
  await new Promise<void>((resolve) => (https ? https.close(() => resolve()) : resolve()));
  await legacy?.close();
  await closeTestPortals();
  if (dir) rmSync(dir, { recursive: true, force: true });
  if (appErrors.length) throw new Error(`the gateway logged errors: ${appErrors.map(String).join('\n')}`);
});

const httpsPort = () => (https.address() as { port: number }).port;

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  protocol: string | null;
  cipher: string;
}

/** One HTTPS request with the given TLS options (a fresh connection each time). */
function get(port: number, path: string, tls: ConnectionOptions, init: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(
      { host: HOST, port, path, method: init.method ?? 'GET', headers: { ...HEADERS.html, ...init.headers }, agent: false, timeout: 10_000, ...tls },
      (res) => {
        const socket = res.socket as TLSSocket;
        const protocol = socket.getProtocol();
        const cipher = socket.getCipher().name;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks), protocol, cipher }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end(init.body);
  });
}

/** Runs a command with `input` on stdin, killed after `ms`; never throws. */
function run(command: string, args: string[], input = '', ms = 15_000): Promise<{ code: number | null; stdout: string; stderr: string; error?: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'], timeout: ms, killSignal: 'SIGKILL' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.on('error', () => {});
    child.on('error', (err) => resolve({ code: null, stdout, stderr, error: err.message }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/** Whether a TLS client with these options completes a handshake (and with what), or its error. */
function handshake(port: number, options: ConnectionOptions): Promise<{ ok: true; protocol: string | null; cipher: string } | { ok: false; error: string }> {
  return new Promise((resolve) => {
    const socket = tlsConnect({ host: HOST, port, rejectUnauthorized: false, ...options }, () => {
      resolve({ ok: true, protocol: socket.getProtocol(), cipher: socket.getCipher().name });
      socket.end();
    });
    socket.setTimeout(10_000, () => socket.destroy(new Error('timed out')));
    socket.on('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, error: `${err.code ?? ''} ${err.message}` }));
    socket.on('close', () => resolve({ ok: false, error: 'closed before the handshake' }));
  });
}

async function until(t: ExecutionContext, what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) return void t.fail(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A raw TCP connection that resolves once connected. */
function rawConnect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect(port, HOST, () => resolve(socket));
    socket.on('error', reject);
    socket.resume(); // read (and drop) what the server sends, so its FIN is seen
  });
}

/** The ClientHello a Node TLS client with these options sends (caught on an in-memory stream). */
function clientHello(options: ConnectionOptions): Promise<Buffer> {
  const [ours, theirs] = duplexPair();
  const client = tlsConnect({ socket: theirs, ...options });
  client.on('error', () => {});
  return new Promise((resolve) =>
    ours.once('data', (hello: Buffer) => {
      resolve(hello);
      client.destroy();
    }),
  );
}

const closed = (socket: Socket) => new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));

async function withLegacy(t: ExecutionContext, options: Partial<LegacyTlsOptions>, body: (server: LegacyTlsServer, log: string[]) => Promise<void>, callback: RequestListener = gateway): Promise<void> {
  const log: string[] = [];
  const server = await startLegacyTls(callback, { port: 0, host: HOST, cert: certificate.cert, key: certificate.key, log: (m) => log.push(m), ...options });
  try {
    await body(server, log);
  } finally {
    await server.close();
  }
  t.is(server.connections, 0);
}

// (a) The certificate.

test('the self-signed certificate is made once, key 0600, and reused on later starts', (t) => {
  const own = mkdtempSync(join(tmpdir(), 'gw-cert-'));
  try {
    const first = loadOrCreateCertificate(join(own, 'data'));
    t.true(first.created);
    t.is(first.certPath, join(own, 'data', CERT_FILE));
    t.is(first.keyPath, join(own, 'data', KEY_FILE));
    t.is(statSync(first.keyPath).mode & 0o777, 0o600, 'the private key is readable by its owner only');
    const x509 = new X509Certificate(first.cert);
    t.regex(x509.subject, /CN=localhost/);
    t.regex(x509.subjectAltName ?? '', /DNS:localhost/);
    t.regex(x509.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
    t.is(x509.publicKey.asymmetricKeyType, 'rsa');
    t.is(x509.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
    const years = (Date.parse(x509.validTo) - Date.now()) / (365 * 24 * 3600 * 1000);
    t.true(years > 1.9 && years < 2.1, `valid for ${years} years`);
    t.is(x509.issuer, x509.subject);
    t.true(x509.verify(x509.publicKey), 'self-signed');

    const again = loadOrCreateCertificate(join(own, 'data'));
    t.false(again.created, 'the second start reuses the files');
    t.is(again.cert, first.cert);
    t.is(again.key, first.key);

    unlinkSync(first.keyPath); // a certificate without its key is of no use: a new pair
    const fresh = loadOrCreateCertificate(join(own, 'data'));
    t.true(fresh.created);
    t.not(fresh.cert, first.cert);

    const named = loadOrCreateCertificate(join(own, 'named'), undefined, undefined, 'wap.example.net');
    t.regex(new X509Certificate(named.cert).subject, /CN=wap\.example\.net/);
    t.regex(new X509Certificate(named.cert).subjectAltName ?? '', /DNS:wap\.example\.net/);

    // TLS_CERT/TLS_KEY: the given files, nothing generated; both or neither.
    const given = loadOrCreateCertificate(join(own, 'unused'), first.certPath, join(own, 'data', KEY_FILE));
    t.false(given.created);
    t.is(given.cert, fresh.cert);
    t.false(existsSync(join(own, 'unused')));
    t.throws(() => loadOrCreateCertificate(own, first.certPath), { message: /TLS_CERT and TLS_KEY go together/ });
  } finally {
    rmSync(own, { recursive: true, force: true });
  }
});

// (b) Modern HTTPS.

test('modern HTTPS serves the login page over TLS 1.3 and 1.2, verified against the generated certificate', async (t) => {
  const verified = verifying();
  const page = await get(httpsPort(), '/', verified);
  t.is(page.status, 200);
  t.is(page.protocol, 'TLSv1.3');
  t.is(page.headers['content-type'], 'text/html; charset=utf-8');
  t.regex(page.body.toString(), /<form action="\/login" method="post">/);

  const tls12 = await get(httpsPort(), '/', { ...verified, maxVersion: 'TLSv1.2' });
  t.is(tls12.protocol, 'TLSv1.2');
  t.regex(tls12.cipher, /^ECDHE-RSA-/, 'forward secrecy by default');
  t.regex(tls12.body.toString(), /Log in/);

  // A whole login: the 303 carries the session into the URL, and the home page lists the cellar.
  const login = await get(httpsPort(), '/login/password', verified, { method: 'POST', body: 'login=demo&password=demo', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  t.is(login.status, 303);
  const home = await get(httpsPort(), login.headers.location!, verified);
  t.regex(home.body.toString(), /Wine cellar/);
});

test('modern HTTPS refuses TLS 1.0 and 1.1 clients, from Node and from openssl', async (t) => {
  for (const version of ['TLSv1', 'TLSv1.1'] as const) {
    const result = await handshake(httpsPort(), { minVersion: version, maxVersion: version, ciphers: 'DEFAULT:@SECLEVEL=0' });
    t.false(result.ok, `${version} must be refused`);
    if (!result.ok) t.regex(result.error, /protocol version|unsupported protocol|no protocols/i);
  }
  const openssl = await run('openssl', ['s_client', '-connect', `${HOST}:${httpsPort()}`, '-tls1', '-cipher', 'DEFAULT:@SECLEVEL=0'], '');
  t.is(openssl.error, undefined, 'openssl runs');
  t.not(openssl.code, 0, openssl.stdout + openssl.stderr);
  t.regex(openssl.stderr, /alert protocol version/);
  t.notRegex(openssl.stdout, /Cipher is (?!\(NONE\))/);
});

// (c) The legacy endpoint.

test('legacy: openssl s_client -tls1 completes the handshake and reads a WML login deck', async (t) => {
  for (const cipher of ['AES128-SHA', 'AES256-SHA']) {
    const request = ['GET / HTTP/1.0', 'Host: localhost', `User-Agent: ${HEADERS.wml['user-agent']}`, 'Accept: text/vnd.wap.wml', '', ''].join('\r\n');
    const out = await run('openssl', opensslTls1(legacy.port, cipher), request);
    t.is(out.code, 0, out.stderr);
    t.regex(out.stdout, /Protocol {2}: TLSv1\n/);
    t.regex(out.stdout, new RegExp(`Cipher is ${cipher}\\n`));
    t.regex(out.stdout, /Secure Renegotiation IS supported/);
    t.regex(out.stdout, /HTTP\/1\.1 200 OK\r\n/);
    t.regex(out.stdout, /Content-Type: text\/vnd\.wap\.wml; charset=utf-8/i);
    t.regex(out.stdout, /<wml>[\s\S]*<postfield name="login"[\s\S]*<\/wml>/);
  }
});

test('legacy: curl --tlsv1.0 reads the login page', async (t) => {
  const out = await run('curl', [...curlTls1(legacy.port), '-v', '-A', HEADERS.html['user-agent']]);
  t.is(out.error, undefined, 'curl runs');
  t.is(out.code, 0, out.stderr);
  t.regex(out.stderr, /SSL connection using TLSv1 \/ AES128-SHA/);
  t.regex(out.stdout, /<form action="\/login" method="post">/);
  // And verifying the generated certificate (its SAN names localhost), not -k.
  const verified = await run('curl', ['-sS', '--tlsv1.0', '--tls-max', '1.0', '--ciphers', 'AES256-SHA@SECLEVEL=0', '--cacert', certificate.certPath, '--resolve', `localhost:${legacy.port}:${HOST}`, `https://localhost:${legacy.port}/`]);
  t.is(verified.code, 0, verified.stderr);
  t.regex(verified.stdout, /Log in/);
});

test('legacy: Node\'s TLS 1.0 client logs in as demo and keeps the session', async (t) => {
  const verified = { ...TLS1, ...verifying() };
  const login = await get(legacy.port, '/login/password', verified, { method: 'POST', body: 'login=demo&password=demo', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  t.is(login.protocol, 'TLSv1');
  t.is(login.cipher, 'AES128-SHA');
  t.is(login.status, 303);
  const home = await get(legacy.port, login.headers.location!, { ...verified, ciphers: 'AES256-SHA:@SECLEVEL=0' });
  t.is(home.cipher, 'AES256-SHA');
  t.regex(home.body.toString(), /Wine cellar/);
  // A client that can do TLS 1.2 too is answered in TLS 1.0: forge's server knows no other.
  const flexible = await handshake(legacy.port, { minVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' });
  t.like(flexible, { ok: true, protocol: 'TLSv1' });
  if (flexible.ok) t.regex(flexible.cipher, /^AES(128|256)-SHA$/);
});

test('legacy: a client that does not know RFC 5746 (node-forge\'s own, like an old handset) gets a ServerHello without extensions', async (t) => {
  const socket = await rawConnect(legacy.port);
  let serverHello: Buffer | undefined;
  let response = '';
  const done = new Promise<void>((resolve, reject) => {
    const client = forge.tls.createConnection({
      server: false,
      virtualHost: 'localhost',
      verify: () => true,
      cipherSuites: [forge.tls.CipherSuites.TLS_RSA_WITH_AES_128_CBC_SHA],
      connected: (c) => c.prepare(['GET / HTTP/1.0', 'Host: localhost', `User-Agent: ${HEADERS.wml['user-agent']}`, 'Accept: text/vnd.wap.wml', '', ''].join('\r\n')),
      tlsDataReady: (c) => void socket.write(Buffer.from(c.tlsData.getBytes(), 'latin1')),
      dataReady: (c) => void (response += c.data.getBytes()),
      closed: () => resolve(),
      error: (_c, err) => reject(new Error(err.message)),
    });
    socket.on('data', (chunk: Buffer) => {
      serverHello ??= chunk;
      client.process(chunk.toString('latin1'));
    });
    socket.on('close', () => resolve());
    client.handshake();
  });
  await done;
  socket.destroy();
  t.truthy(serverHello);
  t.is(serverHello![0], 22, 'a handshake record');
  t.is(serverHello![5], 2, 'holding the ServerHello');
  const length = (serverHello![6] << 16) | (serverHello![7] << 8) | serverHello![8];
  t.is(length, 2 + 32 + 1 + 32 + 2 + 1, 'version, random, 32-byte session id, suite, compression: no extensions');
  t.regex(response, /^HTTP\/1\.1 200 OK\r\n/);
  t.regex(response, /<wml>[\s\S]*<\/wml>/);
});

test('legacy: big responses arrive whole, in many records, and keep-alive works', async (t) => {
  const body = randomBytes(3_000_000);
  const digest = createHash('sha256').update(body).digest('hex');
  await withLegacy(t, {}, async (server) => {
    for (let i = 0; i < 2; i++) {
      const reply = await get(server.port, '/big', TLS1);
      t.is(reply.status, 200);
      t.is(reply.body.length, body.length);
      t.is(createHash('sha256').update(reply.body).digest('hex'), digest);
    }
    const out = await run('curl', [...curlTls1(server.port), '-o', '/dev/null', '-o', '/dev/null', '-w', '%{http_code} %{size_download} %{num_connects}\n', `https://${HOST}:${server.port}/`]);
    t.is(out.stdout, `200 ${body.length} 1\n200 ${body.length} 0\n`, 'two requests on one connection');
  }, (_req, res) => res.end(body));
});

test('legacy: what node-forge cannot do is refused cleanly and logged once per connection', async (t) => {
  await withLegacy(t, {}, async (server, log) => {
    const tls11 = await handshake(server.port, { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' });
    t.false(tls11.ok, 'TLS 1.1 is not implemented by forge as a server');
    const noSuite = await handshake(server.port, { ...TLS1, ciphers: 'ECDHE-RSA-AES128-SHA:@SECLEVEL=0' });
    t.false(noSuite.ok, 'no ECDHE (nor 3DES) suite');
    await until(t, 'both failures are logged', () => log.length >= 3);
    t.is(log.length, 3, log.join('\n'));
    t.regex(log[0], /legacy TLS 1\.0 endpoint on port \d+: for old handsets only; it offers no forward secrecy and weak protocol versions/);
    t.regex(log[2], /handshake failed: No cipher suites in common/);
  });
});

// (d) Garbage and half handshakes.

test('legacy: garbage, a truncated hello and a mid-handshake disconnect do not hurt the server', async (t) => {
  await withLegacy(t, {}, async (server, log) => {
    // Plain HTTP on the TLS port, and bytes that are no TLS at all: closed at once.
    for (const garbage of [Buffer.from('GET / HTTP/1.0\r\n\r\n'), Buffer.alloc(300, 0xff), Buffer.from('16030100', 'hex')]) {
      const socket = await rawConnect(server.port);
      socket.on('error', () => {});
      socket.write(garbage);
      if (garbage.length === 4) socket.destroy(); // a record header, then gone
      await closed(socket);
    }
    // A ClientHello too short to be one.
    const hello = await rawConnect(server.port);
    hello.on('error', () => {});
    hello.write(Buffer.concat([Buffer.from('1603010029' + '01000025', 'hex'), Buffer.alloc(0x25, 0x03)]));
    await closed(hello);
    // A ClientHello that claims 16 MB and keeps coming, record after record: cut at 64 KiB, not buffered.
    const endless = await rawConnect(server.port);
    endless.on('error', () => {});
    const record = (body: Buffer) => Buffer.concat([Buffer.from([22, 3, 1, body.length >> 8, body.length & 0xff]), body]);
    endless.write(record(Buffer.concat([Buffer.from('01ffffff', 'hex'), Buffer.alloc(16 * 1024 - 4, 0x41)])));
    for (let i = 0; i < 20 && !endless.destroyed; i++) endless.write(record(Buffer.alloc(16 * 1024, 0x41)));
    await closed(endless);
    // A real ClientHello (Node's TLS 1.0 client's), and the client gone once the server has answered.
    const raw = await rawConnect(server.port);
    raw.on('error', () => {});
    raw.write(await clientHello(TLS1));
    await new Promise((resolve) => raw.once('data', resolve));
    raw.destroy();

    await until(t, 'every connection is gone', () => server.connections === 0);
    const reply = await get(server.port, '/', TLS1);
    t.is(reply.status, 200, 'the next client is served');
    t.regex(reply.body.toString(), /Log in/);
    const failures = log.filter((line) => /legacy TLS 127\.0\.0\.1:\d+: /.test(line));
    t.is(failures.length, 6, `one line per bad connection:\n${log.join('\n')}`);
    t.true(failures.every((line) => /handshake failed|during the handshake/.test(line)), failures.join('\n'));
    t.true(failures.some((line) => /more than 64 KiB without finishing the handshake|a handshake message over 64 KiB/.test(line)), failures.join('\n'));
  });
});

test('legacy: a silent client is cut after the handshake timeout, an idle one after the idle timeout', async (t) => {
  await withLegacy(t, { handshakeTimeout: 300 }, async (server, log) => {
    const silent = await rawConnect(server.port);
    const started = Date.now();
    await closed(silent);
    t.true(Date.now() - started < 3000);
    await until(t, 'the failure is logged', () => log.length >= 2);
    t.regex(log[1], /handshake failed: no handshake within 0\.3 s/);
  });
  await withLegacy(t, { idleTimeout: 1000 }, async (server) => {
    const idle = tlsConnect({ host: HOST, port: server.port, ...TLS1 });
    idle.on('error', (err) => t.fail(err.message));
    const ended = new Promise<void>((resolve) => idle.once('end', () => resolve()));
    await new Promise<void>((resolve) => idle.once('secureConnect', () => resolve()));
    const connected = Date.now();
    await ended; // close_notify and FIN from the server after a second of silence
    t.true(Date.now() - connected >= 900, 'not before the idle timeout');
    idle.destroy();
    await until(t, 'the idle connection is gone', () => server.connections === 0);
  });
});

// (e) The connection cap.

test('legacy: at most maxConnections are open; the next is turned away until one closes', async (t) => {
  await withLegacy(t, { maxConnections: 2 }, async (server, log) => {
    const holders = [await rawConnect(server.port), await rawConnect(server.port)];
    await until(t, 'the server counts both', () => server.connections === 2);
    const third = await handshake(server.port, TLS1);
    t.false(third.ok, 'the third connection is closed without a handshake');
    t.true(log.some((line) => /2 connections open, turned away 1 more/.test(line)), log.join('\n'));
    holders[0].destroy();
    await until(t, 'one slot is free', () => server.connections === 1);
    const reply = await get(server.port, '/', TLS1);
    t.is(reply.status, 200);
    holders[1].destroy();
  });
});

// The wiring: `npm start` with TLS_PORT and LEGACY_TLS_PORT.

test('main.ts starts HTTPS and the legacy endpoint beside HTTP, and closes them on SIGTERM', async (t) => {
  const data = mkdtempSync(join(tmpdir(), 'gw-main-tls-'));
  const child = spawn(process.execPath, ['gateway/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: data, STORE_URL: '', PORT: '0', TLS_PORT: '0', LEGACY_TLS_PORT: '0', HOST, TLS_HOST: 'localhost' },
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    const ports = await new Promise<{ https: number; legacy: number }>((resolve, reject) => {
      const look = (d: Buffer) => {
        output += d;
        const https = /listening on https:\/\/[\d.]+:(\d+)\//.exec(output);
        const legacyPort = /legacy TLS 1\.0 endpoint on port (\d+)/.exec(output);
        if (https && legacyPort) resolve({ https: Number(https[1]), legacy: Number(legacyPort[1]) });
      };
      child.stdout.on('data', look);
      child.stderr.on('data', look);
      exited.then(() => reject(new Error(`the gateway exited:\n${output}`)));
      setTimeout(() => reject(new Error(`no TLS ports within 20 s:\n${output}`)), 20_000).unref();
    });
    t.regex(output, /Created a self-signed certificate for localhost/);
    const cert = readFileSync(join(data, CERT_FILE), 'utf8');
    const modern = await get(ports.https, '/', { ca: cert, servername: 'localhost', rejectUnauthorized: true });
    t.regex(modern.body.toString(), /Log in/);
    const old = await get(ports.legacy, '/', { ...TLS1, ca: cert, servername: 'localhost', rejectUnauthorized: true });
    t.is(old.protocol, 'TLSv1');
    t.regex(old.body.toString(), /Log in/);
  } finally {
    child.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running'), 10_000))]);
    if (code === 'still running') child.kill('SIGKILL');
    t.is(code, 0, `the gateway stops on SIGTERM:\n${output}`);
    rmSync(data, { recursive: true, force: true });
  }
});

test('config: the TLS variables', async (t) => {
  const { readConfig } = await import('../../gateway/config.ts');
  const off = readConfig({});
  t.is(off.tlsPort, undefined);
  t.is(off.legacyTlsPort, undefined);
  t.is(off.tlsHost, 'localhost');
  const on = readConfig({ TLS_PORT: '8443', LEGACY_TLS_PORT: '0', TLS_CERT: '/c.pem', TLS_KEY: '/k.pem', TLS_HOST: 'wap.example.net', LEGACY_TLS_MAX_CONNECTIONS: '8' });
  t.like(on, { tlsPort: 8443, legacyTlsPort: 0, tlsCert: '/c.pem', tlsKey: '/k.pem', tlsHost: 'wap.example.net', legacyTlsMaxConnections: 8 });
  t.throws(() => readConfig({ TLS_PORT: 'https' }), { message: /TLS_PORT must be a port number/ });
  t.throws(() => readConfig({ TLS_CERT: '/c.pem' }), { message: /TLS_CERT and TLS_KEY go together/ });
  t.true(legacyLog.some((line) => /legacy TLS 1\.0 endpoint on port/.test(line)));
});
