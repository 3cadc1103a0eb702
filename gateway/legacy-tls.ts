// The legacy HTTPS endpoint, for handsets and WAP gateways too old for TLS 1.2: node-forge's TLS
// engine over a plain TCP server, its decrypted bytes handed to Node's HTTP parser so the same Koa
// callback serves them.
//
// What node-forge 1.x offers as a server (read from lib/tls.js and lib/aesCipherSuites.js):
// - TLS 1.0 only. Its version table lists TLS 1.1 and 1.0, but the server's ClientHello handler
//   starts its search at the second entry, so every client is answered in TLS 1.0; a client that
//   insists on TLS 1.1 or 1.2 fails, and an SSL 3.0 ClientHello is answered in TLS 1.0 (SSL 3.0
//   is not implemented), as is an SSLv2-format ClientHello refused.
// - Two suites, both RSA key exchange, CBC and HMAC-SHA1: TLS_RSA_WITH_AES_128_CBC_SHA (0x002F)
//   and TLS_RSA_WITH_AES_256_CBC_SHA (0x0035). There is no 3DES (or RC4) suite, so phones that
//   know only TLS_RSA_WITH_3DES_EDE_CBC_SHA cannot connect. The first suite in the client's list
//   that forge knows is chosen.
// - No forward secrecy, no extensions in its ServerHello, no renegotiation (a second ClientHello
//   is a fatal unexpected message), no compression. Session resumption is left off: forge's server
//   reuses the old server random when it resumes a session.
//
// One addition: forge sends no renegotiation_info (RFC 5746), and OpenSSL 3 clients (openssl,
// curl, Node, Kannel) then refuse the handshake ("unsafe legacy renegotiation disabled"). Since
// forge never renegotiates, telling clients that renegotiation is secure is true; so when a client
// signals RFC 5746 (the SCSV or an empty extension), the empty extension is added to the ServerHello
// on the wire and in the handshake transcript both (see `Rfc5746`). Old handsets signal nothing
// and get forge's ServerHello unchanged.
//
// And one speed-up: forge decrypts the client's pre-master secret with its JavaScript RSA, about
// 35 ms of the event loop (which the whole gateway shares) per handshake, plus parsing the PEM key
// each time. For our key, that one operation goes to Node's native RSA instead (see `nativeRsa`).
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createHttpServer, type RequestListener } from 'node:http';
import { duplexPair, type Duplex } from 'node:stream';
import { constants, createPrivateKey, privateDecrypt, publicEncrypt, randomBytes } from 'node:crypto';
import forge from 'node-forge';

/** The suites node-forge implements, in the order they are offered. */
export const LEGACY_CIPHER_SUITES = ['TLS_RSA_WITH_AES_128_CBC_SHA', 'TLS_RSA_WITH_AES_256_CBC_SHA'] as const;

export interface LegacyTlsOptions {
  port: number;
  host: string;
  /** PEM certificate (or chain, leaf first) with an RSA key. */
  cert: string;
  /** PEM RSA private key. */
  key: string;
  /** Open connections at most; the next are closed as they arrive (default 64). */
  maxConnections?: number;
  /** A connection with nothing sent or received for this long is closed (ms, default 30 s). */
  idleTimeout?: number;
  /** The handshake must be over within this (ms, default 30 s: a slow handset on GPRS takes seconds). */
  handshakeTimeout?: number;
  /** Where warnings go (default console.warn); one line per failed connection at most. */
  log?: (message: string) => void;
}

export interface LegacyTlsServer {
  readonly server: NetServer;
  readonly port: number;
  /** Open TCP connections. */
  readonly connections: number;
  /** Stops listening, closes every connection (close_notify, then a FIN) and resolves when all are gone. */
  close(): Promise<void>;
}

/** forge emits records of at most this much plaintext; application data is handed over in such slices. */
const FRAGMENT = 16384 - 1024;
/**
 * A client's whole handshake is a few kilobytes (no client certificates are asked for). forge would
 * buffer a handshake message up to its 24-bit length, 16 MB, per connection: both are capped here.
 */
const MAX_HANDSHAKE_INPUT = 64 * 1024;

/** Starts the legacy endpoint; logs the warning that it is for old handsets only. */
export async function startLegacyTls(callback: RequestListener, options: LegacyTlsOptions): Promise<LegacyTlsServer> {
  const log = options.log ?? ((message: string) => console.warn(message));
  const idleTimeout = options.idleTimeout ?? 30_000;
  const handshakeTimeout = options.handshakeTimeout ?? 30_000;
  const suites = LEGACY_CIPHER_SUITES.map((name) => {
    const suite = forge.tls.CipherSuites[name];
    if (!suite) throw new Error(`node-forge lacks ${name}`);
    return suite;
  });
  checkKeyPair(options.cert, options.key);
  const native = nativeRsa(options.key);
  if (!native) log('legacy TLS: Node\'s RSA decryption is not usable here; node-forge\'s (slow) is used');

  // Never listens: each decrypted connection is handed to it as a duplex stream.
  const http = createHttpServer(callback);
  const open = new Set<LegacyConnection>();
  const shared: Shared = { http, cert: options.cert, key: options.key, suites, idleTimeout, handshakeTimeout, log };

  // Half-open allowed: a client may send its request and FIN, and still read the answer.
  const server = createNetServer({ allowHalfOpen: true }, (socket) => {
    const connection = new LegacyConnection(socket, shared);
    open.add(connection);
    void connection.gone.then(() => open.delete(connection));
  });
  server.maxConnections = options.maxConnections ?? 64;
  let dropped = 0;
  let lastDropLog = 0;
  server.on('drop', () => {
    dropped++;
    const now = Date.now();
    if (now - lastDropLog > 60_000) {
      log(`legacy TLS: ${server.maxConnections} connections open, turned away ${dropped} more`);
      lastDropLog = now;
      dropped = 0;
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  log(`legacy TLS 1.0 endpoint on port ${port}: for old handsets only; it offers no forward secrecy and weak protocol versions`);

  return {
    server,
    port,
    get connections() {
      return open.size;
    },
    close: () =>
      new Promise<void>((resolve) => {
        const all = [new Promise<void>((done) => server.close(() => done()))];
        for (const connection of open) all.push(connection.shutdown());
        void Promise.all(all).then(() => resolve());
      }),
  };
}

interface Shared {
  http: ReturnType<typeof createHttpServer>;
  cert: string;
  key: string;
  suites: forge.tls.CipherSuite[];
  idleTimeout: number;
  handshakeTimeout: number;
  log: (message: string) => void;
}

/** Refuses to start with a key that is not the certificate's RSA key (forge would fail every handshake). */
function checkKeyPair(certPem: string, keyPem: string): void {
  const cert = forge.pki.certificateFromPem(certPem);
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const publicKey = cert.publicKey as forge.pki.rsa.PublicKey;
  if (!publicKey.n || !key.n || publicKey.n.compareTo(key.n) !== 0) throw new Error('legacy TLS needs an RSA certificate and its own private key');
}

type ForgePki = { privateKeyFromPem(pem: string): forge.pki.PrivateKey };
const forgePki = forge.pki as unknown as ForgePki;
const parsePrivateKey = forgePki.privateKeyFromPem.bind(forgePki);
/** Our keys, by PEM text: forge key objects whose PKCS#1 v1.5 decryption is Node's. */
const nativeKeys = new Map<string, forge.pki.PrivateKey>();

/**
 * Makes forge's TLS decrypt pre-master secrets for `pem` with Node's RSA: about 1 ms instead of
 * about 35 ms of JavaScript. forge's server parses the PEM that getPrivateKey returns with
 * forge.pki.privateKeyFromPem and calls the key's decrypt(): so that function is wrapped, once, to
 * return for our PEM (and no other) a forge key parsed once whose decrypt() is Node's privateDecrypt.
 * Node's PKCS#1 v1.5 decryption with OpenSSL 3.2+ rejects bad padding implicitly (a stand-in
 * message, no error, no timing tell), which is what TLS wants against Bleichenbacher's attack;
 * forge's own check of the client version then turns that into a random pre-master secret. Checked
 * by a round trip first; false (forge's decryption stays) if Node refuses PKCS#1 v1.5 decryption.
 */
function nativeRsa(pem: string): boolean {
  if (nativeKeys.has(pem)) return true;
  const native = createPrivateKey(pem);
  const decrypt = (data: Buffer) => privateDecrypt({ key: native, padding: constants.RSA_PKCS1_PADDING }, data);
  try {
    const secret = randomBytes(48);
    if (!decrypt(publicEncrypt({ key: native, padding: constants.RSA_PKCS1_PADDING }, secret)).equals(secret)) return false;
  } catch {
    return false;
  }
  const key = parsePrivateKey(pem) as forge.pki.rsa.PrivateKey;
  const forgeDecrypt = key.decrypt.bind(key);
  key.decrypt = (data, scheme, schemeOptions) =>
    scheme === undefined || scheme === 'RSAES-PKCS1-V1_5' ? decrypt(Buffer.from(data, 'latin1')).toString('latin1') : forgeDecrypt(data, scheme, schemeOptions);
  if (nativeKeys.size === 0) forgePki.privateKeyFromPem = (text: string) => nativeKeys.get(text) ?? parsePrivateKey(text);
  nativeKeys.set(pem, key);
  return true;
}

/** One TCP connection: forge decrypts and encrypts, Node's HTTP server reads and answers. */
class LegacyConnection {
  readonly #socket: Socket;
  readonly #shared: Shared;
  readonly #peer: string;
  readonly #tls: forge.tls.Connection;
  readonly #rfc5746 = new Rfc5746();
  #stage: 'handshake' | 'open' | 'closing' | 'closed' = 'handshake';
  #logged = false;
  #handshakeInput = 0;
  #deadline: NodeJS.Timeout;
  /** Resolves once the socket has closed and everything is cleaned up. */
  readonly gone: Promise<void>;
  /** Our end of the in-memory stream whose other end Node's HTTP server reads and writes. */
  #app: Duplex | undefined;

  constructor(socket: Socket, shared: Shared) {
    this.#socket = socket;
    this.#shared = shared;
    this.#peer = `${socket.remoteAddress}:${socket.remotePort}`;
    socket.setNoDelay(true);
    socket.setTimeout(shared.idleTimeout);
    this.#deadline = setTimeout(() => this.#fail(`no handshake within ${shared.handshakeTimeout / 1000} s`), shared.handshakeTimeout);
    this.#tls = forge.tls.createConnection({
      server: true,
      verifyClient: false,
      cipherSuites: shared.suites,
      getCertificate: () => shared.cert,
      getPrivateKey: () => shared.key,
      connected: () => this.#connected(),
      tlsDataReady: (c) => this.#send(c.tlsData.getBytes()),
      dataReady: (c) => this.#received(c.data.getBytes()),
      closed: () => this.#closedByTls(),
      error: (_c, err) => this.#fail(err.origin === 'client' ? `the client sent the alert "${err.message}"` : err.message),
    });
    this.#rfc5746.watch(this.#tls);

    socket.on('data', (chunk: Buffer) => {
      // Once closed, forge has reset itself to a fresh, unencrypted state: what follows (the
      // client's own close_notify, say) is not for it.
      if (this.#stage === 'closing' || this.#stage === 'closed') return;
      if (this.#stage === 'handshake' && (this.#handshakeInput += chunk.length) > MAX_HANDSHAKE_INPUT) {
        return this.#fail(`more than ${MAX_HANDSHAKE_INPUT / 1024} KiB without finishing the handshake`);
      }
      try {
        this.#tls.process(chunk.toString('latin1'));
      } catch (err) {
        // forge's parsers can throw on malformed input; nothing of it may reach the process.
        return this.#fail(`malformed input (${(err as Error).message})`);
      }
      if ((this.#tls.fragmented?.fragment.length() ?? 0) > MAX_HANDSHAKE_INPUT) this.#fail('a handshake message over 64 KiB');
    });
    socket.on('drain', () => this.#app?.resume());
    socket.on('end', () => {
      if (this.#stage === 'handshake') this.#fail('the client closed the connection during the handshake');
      else this.#app?.end(); // no more requests; the HTTP server finishes what it has, then ends
    });
    socket.on('timeout', () => {
      if (this.#stage === 'handshake') this.#fail(`idle for ${this.#shared.idleTimeout / 1000} s during the handshake`);
      else if (this.#stage === 'open') void this.shutdown();
      else socket.destroy(); // closing, and the peer has not answered our FIN
    });
    socket.on('error', () => {}); // ECONNRESET and the like: 'close' follows and cleans up
    this.gone = new Promise((resolve) =>
      socket.on('close', () => {
        if (this.#stage === 'handshake') this.#logOnce('the connection closed during the handshake');
        this.#stage = 'closed';
        clearTimeout(this.#deadline);
        this.#app?.destroy();
        resolve();
      }),
    );
  }

  /**
   * Ends the connection cleanly: close_notify, then FIN; a peer that does not close is cut after
   * the idle timeout. Resolves when the socket is closed.
   */
  shutdown(): Promise<void> {
    if (this.#stage === 'handshake') {
      this.#stage = 'closed';
      this.#socket.destroy();
    } else if (this.#stage === 'open') {
      this.#stage = 'closing';
      this.#tls.close(); // queues close_notify
      this.#socket.end();
    }
    return this.gone;
  }

  #connected(): void {
    clearTimeout(this.#deadline);
    if (this.#stage !== 'handshake') return;
    this.#stage = 'open';
    const [app, http] = duplexPair();
    this.#app = app;
    // What Koa reads from req.socket: the client's address (ctx.ip) and that the link is encrypted.
    Object.defineProperties(http, {
      remoteAddress: { value: this.#socket.remoteAddress },
      remotePort: { value: this.#socket.remotePort },
      encrypted: { value: true },
    });
    app.on('data', (chunk: Buffer) => this.#encrypt(chunk));
    app.on('end', () => void this.shutdown()); // the HTTP server is done with the connection
    app.on('drain', () => this.#socket.resume());
    app.on('error', () => this.#socket.destroy());
    http.on('error', () => {}); // the HTTP server destroys its side on a parse error; 'close' follows
    this.#shared.http.emit('connection', http);
  }

  /** Decrypted bytes from the client, for the HTTP parser. */
  #received(bytes: string): void {
    // OpenSSL's TLS 1.0 CBC countermeasure sends an empty record before each real one.
    if (!bytes || !this.#app || this.#stage !== 'open') return;
    if (!this.#app.write(Buffer.from(bytes, 'latin1'))) this.#socket.pause();
  }

  /** Response bytes from the HTTP server, encrypted one record's worth at a time. */
  #encrypt(chunk: Buffer): void {
    // After a close or a fatal error forge resets to its null cipher: never prepare data then.
    for (let at = 0; at < chunk.length && this.#stage === 'open'; at += FRAGMENT) {
      this.#tls.prepare(chunk.subarray(at, at + FRAGMENT).toString('latin1'));
    }
  }

  /** TLS records for the client. */
  #send(bytes: string): void {
    if (!bytes || this.#socket.destroyed || !this.#socket.writable) return;
    const wire = this.#rfc5746.rewrite(bytes);
    if (wire === null) return this.#fail('the client sent a non-empty renegotiation_info in its first handshake');
    if (!this.#socket.write(Buffer.from(wire, 'latin1'))) this.#app?.pause();
  }

  /** forge closed: the client sent close_notify, or we called close(). */
  #closedByTls(): void {
    if (this.#stage === 'handshake') this.#fail('the client closed the handshake (close_notify)');
    else if (this.#stage === 'open') {
      this.#stage = 'closing';
      this.#app?.end();
      this.#socket.end();
    }
  }

  #fail(why: string): void {
    const during = this.#stage === 'handshake' ? 'handshake' : 'connection';
    if (this.#stage !== 'closed') this.#logOnce(`${during} failed: ${why}`);
    this.#stage = 'closed';
    clearTimeout(this.#deadline);
    this.#app?.destroy();
    // Let an alert forge queued go out with our FIN; a peer that does not close too is cut.
    if (this.#socket.writable) this.#socket.end();
    if (!this.#socket.destroyed) setTimeout(() => this.#socket.destroy(), 1000).unref();
  }

  #logOnce(message: string): void {
    if (this.#logged) return;
    this.#logged = true;
    this.#shared.log(`legacy TLS ${this.#peer}: ${message}`);
  }
}

type Digest = { update(bytes: string, encoding?: string): unknown };

/**
 * RFC 5746 for a server that never renegotiates: if the ClientHello carries the
 * TLS_EMPTY_RENEGOTIATION_INFO_SCSV suite or an empty renegotiation_info extension, the ServerHello
 * gets an empty renegotiation_info extension. forge builds its ServerHello in a function it does
 * not export, so the ServerHello is changed the same way in the two places it goes: the handshake
 * transcript (the MD5 and SHA-1 digests of forge's session, whose Finished messages depend on it)
 * and the first flight on the wire.
 */
class Rfc5746 {
  /** 'ask': the client signalled RFC 5746; 'bad': it sent a non-empty renegotiation_info. */
  #client: 'unknown' | 'silent' | 'ask' | 'bad' = 'unknown';
  #original: string | undefined;
  #extended: string | undefined;
  #onWire = false;

  /** Hooks the digests of every session forge creates on `conn` (it creates one on the ClientHello). */
  watch(conn: forge.tls.Connection): void {
    let session = conn.session;
    Object.defineProperty(conn, 'session', {
      configurable: true,
      enumerable: true,
      get: () => session,
      set: (value: forge.tls.Session | null) => {
        session = value;
        if (value) for (const digest of [value.md5, value.sha1] as unknown as Digest[]) this.#hook(digest);
      },
    });
  }

  #hook(digest: Digest): void {
    const update = digest.update.bind(digest);
    digest.update = (bytes: string, encoding?: string) => {
      if (typeof bytes === 'string') {
        if (bytes.charCodeAt(0) === 1 && this.#client === 'unknown') this.#client = readClientHello(bytes);
        else if (bytes.charCodeAt(0) === 2 && this.#client === 'ask') bytes = this.#serverHello(bytes);
      }
      return update(bytes, encoding);
    };
  }

  #serverHello(message: string): string {
    if (message === this.#original) return this.#extended!;
    const extended = withRenegotiationInfo(message);
    if (extended === null) return message;
    this.#original = message;
    this.#extended = extended;
    return extended;
  }

  /** The bytes to send: the first flight with the extended ServerHello; null to abort. */
  rewrite(bytes: string): string | null {
    if (this.#client === 'bad') return null;
    if (this.#onWire || this.#original === undefined) return bytes;
    this.#onWire = true;
    // The first record holds the ServerHello alone (forge makes one record per handshake message).
    const length = (bytes.charCodeAt(3) << 8) | bytes.charCodeAt(4);
    if (bytes.charCodeAt(0) !== 22 || bytes.slice(5, 5 + length) !== this.#original) return bytes;
    const record = this.#extended!;
    return bytes.slice(0, 3) + String.fromCharCode(record.length >> 8, record.length & 0xff) + record + bytes.slice(5 + length);
  }
}

/** Whether a ClientHello handshake message signals RFC 5746 ('ask'), is silent, or is invalid ('bad'). */
function readClientHello(message: string): 'silent' | 'ask' | 'bad' {
  const at = (i: number) => message.charCodeAt(i);
  let i = 4 + 2 + 32; // type and length; client_version; random
  if (i >= message.length) return 'silent';
  i += 1 + at(i); // session_id
  if (i + 2 > message.length) return 'silent';
  const suitesEnd = i + 2 + ((at(i) << 8) | at(i + 1));
  let answer: 'silent' | 'ask' = 'silent';
  for (let s = i + 2; s + 1 < suitesEnd && s + 1 < message.length; s += 2) if (at(s) === 0x00 && at(s + 1) === 0xff) answer = 'ask';
  i = suitesEnd;
  if (i >= message.length) return answer;
  i += 1 + at(i); // compression_methods
  if (i + 2 > message.length) return answer;
  const extensionsEnd = Math.min(message.length, i + 2 + ((at(i) << 8) | at(i + 1)));
  for (i += 2; i + 4 <= extensionsEnd; ) {
    const type = (at(i) << 8) | at(i + 1);
    const length = (at(i + 2) << 8) | at(i + 3);
    if (type === 0xff01) return length === 1 && at(i + 4) === 0 ? 'ask' : 'bad';
    i += 4 + length;
  }
  return answer;
}

/** forge's ServerHello (no extensions) with an empty renegotiation_info; null if it is not that shape. */
function withRenegotiationInfo(message: string): string | null {
  const length = (message.charCodeAt(1) << 16) | (message.charCodeAt(2) << 8) | message.charCodeAt(3);
  const sessionIdLength = message.charCodeAt(4 + 2 + 32);
  if (message.length !== 4 + length || length !== 2 + 32 + 1 + sessionIdLength + 2 + 1) return null;
  const extensions = '\x00\x05' + '\xff\x01\x00\x01\x00'; // extensions<5>: renegotiation_info, length 1, empty
  const newLength = length + extensions.length;
  return '\x02' + String.fromCharCode(newLength >> 16, (newLength >> 8) & 0xff, newLength & 0xff) + message.slice(4) + extensions;
}
