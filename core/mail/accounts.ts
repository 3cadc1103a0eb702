// A mail account as a user types it (from any device: every value is one short line), read into
// what the store keeps. Passwords are sealed here and never leave the core again.
import { invalid } from '../errors.ts';
import type { ServerLogin } from './server.ts';
import type { Secrets } from '../cell/secrets.ts';

export const PROTOCOLS = ['imap', 'pop3'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** What an account form sends; a password left empty keeps the one stored. */
export interface AccountInput {
  name?: string;
  address?: string;
  protocol?: string;
  /** `host` or `host:port`. */
  incoming?: string;
  tls?: string;
  login?: string;
  password?: string;
  outgoing?: string;
  outTls?: string;
  /** Empty: the server takes mail without a login (it relays for our network). */
  outLogin?: string;
  /** Empty: the same password as for reading. */
  outPassword?: string;
}

/** An account as shown to its owner: never a password. */
export interface Account {
  id: number;
  name: string;
  address: string;
  protocol: Protocol;
  incoming: string;
  tls: boolean;
  login: string;
  outgoing: string;
  outTls: boolean;
  outLogin: string;
  /** Why it is not checked now, in words for the user; '' when all is well. */
  problem: string;
  state: 'ok' | 'bad-password' | 'retry';
  retryAt: number;
}

export type AccountRow = {
  id: number;
  owner: string;
  name: string;
  address: string;
  protocol: string;
  in_host: string;
  in_port: number;
  in_tls: number;
  in_login: string;
  in_secret: string;
  out_host: string;
  out_port: number;
  out_tls: number;
  out_login: string;
  out_secret: string;
  state: string;
  problem: string;
  retry_at: number;
  failures: number;
  imap_validity: number | bigint;
  imap_last_uid: number;
};

const DEFAULT_PORTS = { imap: [143, 993], pop3: [110, 995], smtp: [25, 465] } as const;
const HOST = /^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?)*$/i;
const ADDRESS = /^[^\s@<>(),;:"]{1,64}@[a-z0-9.-]{1,253}$/i;
const yes = (v: string | undefined) => ['1', 'on', 'yes', 'true'].includes((v ?? '').toLowerCase());

export function checkAddress(raw: string, field: string): string {
  const address = raw.trim();
  if (!ADDRESS.test(address)) throw invalid(`"${address.slice(0, 60)}" is not an e-mail address.`, field);
  return address;
}

function server(raw: string | undefined, kind: keyof typeof DEFAULT_PORTS, tls: boolean, field: string, what: string): { host: string; port: number } {
  const text = (raw ?? '').trim().toLowerCase();
  const m = /^([^:\s]+)(?::(\d{1,5}))?$/.exec(text);
  if (!m || !HOST.test(m[1])) throw invalid(`Type the ${what} server as name or name:port.`, field);
  const port = m[2] ? Number(m[2]) : DEFAULT_PORTS[kind][tls ? 1 : 0];
  if (port < 1 || port > 65535) throw invalid(`The ${what} server's port is 1 to 65535.`, field);
  return { host: m[1], port };
}

function line(raw: string | undefined, field: string, what: string, max = 120): string {
  const text = (raw ?? '').trim();
  if (/[\u0000-\u001f\u007f]/.test(text)) throw invalid(`${what} holds a control character.`, field);
  if (text.length > max) throw invalid(`${what} has at most ${max} characters.`, field);
  return text;
}

/** The columns of an account from a form; `previous` keeps the sealed passwords left empty. */
export type AccountColumns = Omit<AccountRow, 'id' | 'owner' | 'state' | 'problem' | 'retry_at' | 'failures' | 'imap_validity' | 'imap_last_uid'>;

export function readAccount(input: AccountInput, secrets: Secrets, previous?: AccountRow): AccountColumns {
  const name = line(input.name, 'name', 'The account name', 40);
  if (!name) throw invalid('Give the account a name.', 'name');
  const address = checkAddress(input.address ?? '', 'address');
  const protocol = (input.protocol ?? '').toLowerCase() as Protocol;
  if (!PROTOCOLS.includes(protocol)) throw invalid('Choose IMAP or POP3.', 'protocol');
  const tls = yes(input.tls);
  const incoming = server(input.incoming, protocol, tls, 'incoming', 'incoming');
  const login = line(input.login, 'login', 'The login') || address;
  const password = line(input.password, 'password', 'The password', 200);
  if (!password && !previous) throw invalid('Type the password of this account.', 'password');
  const outTls = yes(input.outTls);
  const outgoing = server(input.outgoing, 'smtp', outTls, 'outgoing', 'SMTP');
  const outLogin = line(input.outLogin, 'outLogin', 'The SMTP login');
  const outPassword = line(input.outPassword, 'outPassword', 'The SMTP password', 200);
  const inSecret = password ? secrets.seal(password) : previous!.in_secret;
  return {
    name,
    address,
    protocol,
    in_host: incoming.host,
    in_port: incoming.port,
    in_tls: tls ? 1 : 0,
    in_login: login,
    in_secret: inSecret,
    out_host: outgoing.host,
    out_port: outgoing.port,
    out_tls: outTls ? 1 : 0,
    out_login: outLogin,
    // Empty: the reading password, sealed again (so changing one never silently changes the other).
    out_secret: outPassword ? secrets.seal(outPassword) : password ? secrets.seal(password) : previous!.out_secret,
  };
}

export function toAccount(row: AccountRow): Account {
  return {
    id: Number(row.id),
    name: row.name,
    address: row.address,
    protocol: row.protocol as Protocol,
    incoming: `${row.in_host}:${row.in_port}`,
    tls: Boolean(Number(row.in_tls)),
    login: row.in_login,
    outgoing: `${row.out_host}:${row.out_port}`,
    outTls: Boolean(Number(row.out_tls)),
    outLogin: row.out_login,
    problem: row.problem,
    state: row.state as Account['state'],
    retryAt: Number(row.retry_at),
  };
}

export const incomingLogin = (row: AccountRow, secrets: Secrets): ServerLogin => ({ host: row.in_host, port: Number(row.in_port), tls: Boolean(Number(row.in_tls)), login: row.in_login, password: secrets.open(row.in_secret) });
export const outgoingLogin = (row: AccountRow, secrets: Secrets): ServerLogin => ({ host: row.out_host, port: Number(row.out_port), tls: Boolean(Number(row.out_tls)), login: row.out_login, password: secrets.open(row.out_secret) });
