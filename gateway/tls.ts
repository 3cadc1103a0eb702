// Modern HTTPS beside plain HTTP: TLS 1.2 and 1.3 only, Node's default cipher list, and a
// certificate from TLS_CERT/TLS_KEY or, without them, a self-signed one made once in DATA_DIR.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { RequestListener } from 'node:http';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import forge from 'node-forge';

export interface Certificate {
  /** PEM certificate (or chain, leaf first). */
  cert: string;
  /** PEM private key. */
  key: string;
  certPath: string;
  keyPath: string;
  /** True when this call generated the pair. */
  created: boolean;
}

export const CERT_FILE = 'tls-cert.pem';
export const KEY_FILE = 'tls-key.pem';
const VALID_DAYS = 2 * 365;

/**
 * The certificate and key to serve: the PEM files at `certPath`/`keyPath` when given (both or
 * neither), else `tls-cert.pem`/`tls-key.pem` in `dataDir`, generated on the first call (RSA 2048,
 * self-signed, SHA-256, two years, CN `host`, SANs localhost, 127.0.0.1 and `host`) and reused after.
 */
export function loadOrCreateCertificate(dataDir: string, certPath?: string, keyPath?: string, host = 'localhost'): Certificate {
  if (certPath || keyPath) {
    if (!certPath || !keyPath) throw new Error('TLS_CERT and TLS_KEY go together: give both PEM files or neither');
    return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8'), certPath, keyPath, created: false };
  }
  const ownCert = join(dataDir, CERT_FILE);
  const ownKey = join(dataDir, KEY_FILE);
  if (existsSync(ownCert) && existsSync(ownKey)) {
    return { cert: readFileSync(ownCert, 'utf8'), key: readFileSync(ownKey, 'utf8'), certPath: ownCert, keyPath: ownKey, created: false };
  }
  // Either both files are missing, or one was lost (a certificate without its key, or the reverse,
  // is of no use): make a fresh pair. Each file is written beside its place and renamed into it.
  mkdirSync(dataDir, { recursive: true });
  const { cert, key } = selfSigned(host);
  const write = (path: string, text: string, mode: number) => {
    const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    writeFileSync(temporary, text, { mode, flag: 'wx' });
    chmodSync(temporary, mode);
    renameSync(temporary, path);
  };
  write(ownKey, key, 0o600);
  write(ownCert, cert, 0o644);
  return { cert, key, certPath: ownCert, keyPath: ownKey, created: true };
}

/** A self-signed RSA 2048 server certificate for `host` (forge uses Node's native key generation). */
export function selfSigned(host = 'localhost', days = VALID_DAYS): { cert: string; key: string } {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 2048, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  // A positive serial of 16 random bytes (the top bit clear, so DER reads it as positive).
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  cert.serialNumber = serial.toString('hex');
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 24 * 3600 * 1000); // a day's grace for skewed clocks
  cert.validity.notAfter = new Date(now + days * 24 * 3600 * 1000);
  const name = [{ name: 'commonName', value: host }, { name: 'organizationName', value: 'Low-bandwidth gateway (self-signed)' }];
  cert.setSubject(name);
  cert.setIssuer(name);
  const altNames: { type: number; value?: string; ip?: string }[] = [
    { type: 2, value: 'localhost' },
    { type: 7, ip: '127.0.0.1' },
  ];
  if (host !== 'localhost' && host !== '127.0.0.1') altNames.push(isIP(host) ? { type: 7, ip: host } : { type: 2, value: host });
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    // keyEncipherment: the legacy endpoint's RSA key exchange encrypts the pre-master secret to this key.
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: forge.pki.privateKeyToPem(keys.privateKey) };
}

export interface HttpsOptions {
  port: number;
  host: string;
  cert: string;
  key: string;
}

/**
 * An HTTPS server for `callback` (a Koa app's `callback()`), listening when the promise resolves.
 * TLS 1.2 is the floor, so TLS 1.0 and 1.1 clients are refused in the handshake; the cipher list
 * is Node's default.
 */
export function startHttps(callback: RequestListener, options: HttpsOptions): Promise<Server> {
  const server = createServer({ cert: options.cert, key: options.key, minVersion: 'TLSv1.2' }, callback);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
