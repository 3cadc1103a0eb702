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
  /** The dispatch store, when not derived from storeUrl. */
  dispatchUrl?: string;
  /** Cells by id and the store URL this process reaches each at (registered on start when new). */
  cellStores: Record<string, string>;
  /** The capacity (users) a cell named in cellStores is registered with. */
  cellCapacity: number;
  /** Directory entries cached per process. */
  directoryCache: number;
  /** Seconds between two rounds of the rebalancing watchdog in this process (0: off). */
  watchdogSeconds: number;
  /** The watchdog's thresholds (see core/dispatch/watchdog.ts). */
  rebalance: { maxRequestsPerMinute: number; maxSharedBytes: number; windowMinutes: number };
}

function countFrom(name: string, value: string | undefined, fallback: number, min = 0): number {
  if (!value) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min) throw new Error(`${name} must be a whole number of at least ${min}, not "${value}"`);
  return n;
}

/** `c1=sqlite:/data/c1.sqlite c2=mysql://gw@db2:3306/cell_c2` (spaces or commas between cells). */
export function parseCellStores(value: string | undefined): Record<string, string> {
  const stores: Record<string, string> = {};
  for (const item of (value ?? '').split(/[\s,]+/).filter(Boolean)) {
    const m = /^([a-z0-9][a-z0-9_]{0,15})=((?:sqlite|mysql):.+)$/.exec(item);
    if (!m) throw new Error(`CELL_STORES names cells as id=sqlite:… or id=mysql://…, not "${item.replace(/:.*$/, ':…')}"`);
    if (stores[m[1]]) throw new Error(`CELL_STORES names cell ${m[1]} twice`);
    stores[m[1]] = m[2];
  }
  return stores;
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
    alarmTickMs: countFrom('ALARM_TICK_MS', env.ALARM_TICK_MS, 30_000),
    alarmSmtpUrl: env.ALARM_SMTP_URL || undefined,
    alarmMailFrom: env.ALARM_MAIL_FROM || 'alarms@localhost',
    smsSendsmsUrl: env.SMS_SENDSMS_URL || undefined,
    publicUrl: env.PUBLIC_URL || `http://localhost:${port}`,
    mail: {
      perServer: countFrom('MAIL_CONNECTIONS_PER_SERVER', env.MAIL_CONNECTIONS_PER_SERVER, MAIL_DEFAULTS.perServer, 1),
      timeoutMs: countFrom('MAIL_TIMEOUT_MS', env.MAIL_TIMEOUT_MS, MAIL_DEFAULTS.timeoutMs, 1),
      retryMs: countFrom('MAIL_RETRY_MS', env.MAIL_RETRY_MS, MAIL_DEFAULTS.retryMs, 1),
      quota: countFrom('FILE_QUOTA_BYTES', env.FILE_QUOTA_BYTES, MAIL_DEFAULTS.quota, 1),
    },
    dispatchUrl: env.DISPATCH_STORE_URL || undefined,
    cellStores: parseCellStores(env.CELL_STORES),
    cellCapacity: countFrom('CELL_CAPACITY', env.CELL_CAPACITY, 1000, 1),
    directoryCache: countFrom('DIRECTORY_CACHE', env.DIRECTORY_CACHE, 100_000, 1),
    watchdogSeconds: countFrom('WATCHDOG_SECONDS', env.WATCHDOG_SECONDS, 0),
    rebalance: {
      maxRequestsPerMinute: countFrom('REBALANCE_MAX_REQUESTS', env.REBALANCE_MAX_REQUESTS, 0),
      maxSharedBytes: countFrom('REBALANCE_MAX_SHARED_BYTES', env.REBALANCE_MAX_SHARED_BYTES, 0),
      windowMinutes: countFrom('REBALANCE_WINDOW_MINUTES', env.REBALANCE_WINDOW_MINUTES, 5, 1),
    },
    mailRetryTickMs: countFrom('MAIL_RETRY_TICK_MS', env.MAIL_RETRY_TICK_MS, 30_000),
  };
}
