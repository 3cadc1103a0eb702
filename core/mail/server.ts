// What the gateway needs to reach one mail server, and what went wrong when it could not: the
// failures a user is told about in plain words, each with what to do.

export interface ServerLogin {
  host: string;
  port: number;
  tls: boolean;
  login: string;
  password: string;
}

export const serverKey = (s: { host: string; port: number }) => `${s.host.toLowerCase()}:${s.port}`;

export type FailureKind = 'bad-password' | 'down' | 'timeout' | 'refused' | 'broken';

/** A server said no, could not be reached, or stopped answering. */
export class MailFailure extends Error {
  readonly kind: FailureKind;
  constructor(kind: FailureKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MailFailure';
    this.kind = kind;
  }
}

const DOWN = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNRESET', 'EPIPE', 'NoConnection', 'EConnectionClosed', 'ClosedAfterConnectText', 'ClosedAfterConnectTLS', 'ESOCKET', 'ECONNECTION']);
const SLOW = new Set(['ETIMEDOUT', 'ETIMEOUT', 'CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT', 'ETHROTTLE']);

/** Sorts an error of imapflow, node-pop3, nodemailer or a socket into what the user is told. */
export function classify(err: unknown, server: { host: string; port: number }): MailFailure {
  if (err instanceof MailFailure) return err;
  const e = (err ?? {}) as { name?: string; code?: string; message?: string; authenticationFailed?: boolean; responseCode?: number; command?: string; eventName?: string };
  const where = serverKey(server);
  const text = String(e.message ?? err);
  if (e.authenticationFailed || e.code === 'EAUTH' || e.command === 'PASS ***' || /\[AUTH\]|authentication failed/i.test(text)) {
    return new MailFailure('bad-password', `The server ${where} refused the login or password.`, { cause: err });
  }
  if (e.name === 'TimeoutError' || SLOW.has(e.code ?? '') || e.eventName === 'timeout' || /timed? ?out/i.test(text)) {
    return new MailFailure('timeout', `The server ${where} did not answer in time.`, { cause: err });
  }
  if (DOWN.has(e.code ?? '') || ['close', 'end', 'error'].includes(e.eventName ?? '') || /ECONNREFUSED|connection closed|socket/i.test(text)) {
    return new MailFailure('down', `The server ${where} cannot be reached.`, { cause: err });
  }
  if (e.code === 'EENVELOPE' || (e.responseCode !== undefined && e.responseCode >= 500)) {
    return new MailFailure('refused', `The server ${where} refused this message: ${text.split('\n')[0].slice(0, 160)}`, { cause: err });
  }
  return new MailFailure('broken', `The server ${where} answered in a way we could not follow (${text.split('\n')[0].slice(0, 120)}).`, { cause: err });
}

/**
 * Runs one conversation with a server: `close` ends it when the signal aborts (time is up) and
 * always at the end; a conversation cut short fails with the signal's reason, not the socket's.
 */
export async function conversation<T>(signal: AbortSignal, close: () => void, talk: () => Promise<T>): Promise<T> {
  signal.addEventListener('abort', close);
  try {
    signal.throwIfAborted();
    return await talk();
  } catch (err) {
    throw signal.aborted ? signal.reason : err;
  } finally {
    signal.removeEventListener('abort', close);
    close();
  }
}
