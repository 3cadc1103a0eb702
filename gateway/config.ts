// Configuration from the environment; every variable is listed in the README.
import { resolve } from 'node:path';
import { MAIL_DEFAULTS, type MailSettings } from '../core/mail/settings.ts';

export interface Config {
  port: number;
  host: string;
  /** Where the SQLite stores live when STORE_URL is not set. */
  dataDir: string;
  /** Base of every store: `sqlite:<dir>` (default) or `mysql://user:pass@host:port/base`. */
  storeUrl: string;
  /** Create the demo cells and users on first start. */
  demo: boolean;
  /** Compile WML to WBXML for phones that prefer it (else the operator gateway compiles). */
  compileWml: boolean;
  /** Modern HTTPS (TLS 1.2+) port; no HTTPS when unset. */
  tlsPort?: number;
  /** Legacy TLS 1.0 port for old handsets (see gateway/legacy-tls.ts); off when unset. */
  legacyTlsPort?: number;
  /** Most connections open at once on the legacy port. */
  legacyTlsMaxConnections: number;
  /** PEM certificate and key files; without them a self-signed pair is made in dataDir. */
  tlsCert?: string;
  tlsKey?: string;
  /** The name the self-signed certificate is made for. */
  tlsHost: string;
  /** How often the alarm watchdogs tick; 0 stops them. */
  alarmTickMs: number;
  /** The SMTP server email alarms go through (`smtp://host:port`); no email alarms when unset. */
  alarmSmtpUrl?: string;
  alarmMailFrom: string;
  /** Kannel smsbox's sendsms URL with its account; no SMS alarms when unset. */
  smsSendsmsUrl?: string;
  /** Where the gateway is reached from outside: the links in alarm mail and SMS. */
  publicUrl: string;
  /** How remote mail servers are treated: connections per server, time limit, retry wait, attachment quota. */
  mail: MailSettings;
  /** How often failed mail sends and checks whose wait is over are retried; 0 stops it. */
  mailRetryTickMs: number;
}

function positive(name: string, value: string | undefined, fallback: number): number {
  if (!value) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number, not "${value}"`);
  return n;
}

/** A period in milliseconds, 0 meaning "never". */
function milliseconds(name: string, value: string | undefined, fallback: number): number {
  const n = Number(value || fallback);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a number of milliseconds, not "${value}"`);
  return n;
}

function portFrom(name: string, value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`${name} must be a port number, not "${value}"`);
  return port;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const dataDir = resolve(env.DATA_DIR || './data');
  const port = Number(env.PORT || 8080);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, not "${env.PORT}"`);
  if (!env.TLS_CERT !== !env.TLS_KEY) throw new Error('TLS_CERT and TLS_KEY go together: give both PEM files or neither');
  const maxConnections = Number(env.LEGACY_TLS_MAX_CONNECTIONS || 64);
  if (!Number.isInteger(maxConnections) || maxConnections < 1) throw new Error(`LEGACY_TLS_MAX_CONNECTIONS must be a positive number, not "${env.LEGACY_TLS_MAX_CONNECTIONS}"`);
  for (const name of ['ALARM_SMTP_URL', 'SMS_SENDSMS_URL', 'PUBLIC_URL']) {
    if (env[name] && !URL.canParse(env[name])) throw new Error(`${name} must be a URL, not "${env[name]}"`);
  }
  return {
    port,
    host: env.HOST || '0.0.0.0',
    dataDir,
    storeUrl: env.STORE_URL || `sqlite:${dataDir}`,
    demo: env.DEMO !== '0',
    compileWml: env.COMPILE_WML !== '0',
    tlsPort: env.TLS_PORT ? portFrom('TLS_PORT', env.TLS_PORT) : undefined,
    legacyTlsPort: env.LEGACY_TLS_PORT ? portFrom('LEGACY_TLS_PORT', env.LEGACY_TLS_PORT) : undefined,
    legacyTlsMaxConnections: maxConnections,
    tlsCert: env.TLS_CERT || undefined,
    tlsKey: env.TLS_KEY || undefined,
    tlsHost: env.TLS_HOST || 'localhost',
    alarmTickMs: milliseconds('ALARM_TICK_MS', env.ALARM_TICK_MS, 30_000),
    alarmSmtpUrl: env.ALARM_SMTP_URL || undefined,
    alarmMailFrom: env.ALARM_MAIL_FROM || 'alarms@localhost',
    smsSendsmsUrl: env.SMS_SENDSMS_URL || undefined,
    publicUrl: env.PUBLIC_URL || `http://localhost:${port}`,
    mail: {
      perServer: positive('MAIL_CONNECTIONS_PER_SERVER', env.MAIL_CONNECTIONS_PER_SERVER, MAIL_DEFAULTS.perServer),
      timeoutMs: positive('MAIL_TIMEOUT_MS', env.MAIL_TIMEOUT_MS, MAIL_DEFAULTS.timeoutMs),
      retryMs: positive('MAIL_RETRY_MS', env.MAIL_RETRY_MS, MAIL_DEFAULTS.retryMs),
      quota: positive('FILE_QUOTA_BYTES', env.FILE_QUOTA_BYTES, MAIL_DEFAULTS.quota),
    },
    mailRetryTickMs: milliseconds('MAIL_RETRY_TICK_MS', env.MAIL_RETRY_TICK_MS, 30_000),
  };
}
