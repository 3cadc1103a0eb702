// Email alarms through an SMTP server (the system's, named by ALARM_SMTP_URL), with nodemailer.
import nodemailer from 'nodemailer';
import type { Channel } from './channels.ts';

export interface EmailOptions {
  /** `smtp://host:port` (or `smtps://user:pass@host:465`). */
  smtpUrl: string;
  /** The sender of alarm mail. */
  from: string;
  /** The mail links to `<publicUrl>/a/<notice>`. */
  publicUrl: string;
  timeoutMs?: number;
}

export function emailChannel(options: EmailOptions): Channel {
  const timeout = options.timeoutMs ?? 15_000;
  const url = new URL(options.smtpUrl);
  const secure = url.protocol === 'smtps:';
  const transport = nodemailer.createTransport({
    host: url.hostname,
    port: Number(url.port) || (secure ? 465 : 25),
    secure,
    auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  return {
    async send(address, notice) {
      const link = `${options.publicUrl.replace(/\/$/, '')}/a/${notice.id}`;
      await transport.sendMail({
        from: options.from,
        to: address,
        subject: `[alarm] ${notice.title}`,
        text: `${notice.title}\r\n\r\n${link}\r\n`,
        headers: { 'Auto-Submitted': 'auto-generated' },
      });
    },
  };
}
