// How the gateway treats remote mail servers, with the defaults a deployment starts from.
import { ServerQueue } from './queue.ts';
import type { MailOptions } from './mail.ts';

export interface MailSettings {
  /** Connections open at once to one remote server, for all users together. */
  perServer: number;
  /** Longest one check or one send may take. */
  timeoutMs: number;
  /** Bytes of attachments kept per user. */
  quota: number;
  /** The first wait after a server failed (it doubles with each failure in a row, up to an hour). */
  retryMs: number;
}

export const MAIL_DEFAULTS: MailSettings = { perServer: 2, timeoutMs: 30_000, quota: 10 * 1024 * 1024, retryMs: 60_000 };

export function mailOptions(settings: Partial<MailSettings> = {}, now: () => number = Date.now): MailOptions {
  const s = { ...MAIL_DEFAULTS, ...settings };
  return { queue: new ServerQueue({ perServer: s.perServer, timeoutMs: s.timeoutMs }), quota: s.quota, retryMs: s.retryMs, now };
}
