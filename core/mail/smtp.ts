// Sending one message through the account's SMTP server with nodemailer. The Message-ID is ours,
// made when the message entered the outbox, so a message sent again after a failure is the same one.
import nodemailer from 'nodemailer';
import { conversation, type ServerLogin } from './server.ts';

export interface Outgoing {
  from: { name: string; address: string };
  to: string;
  cc: string;
  subject: string;
  text: string;
  date: Date;
  messageId: string;
  inReplyTo: string;
  attachments: { filename: string; contentType: string; content: Buffer }[];
}

export async function sendSmtp(server: ServerLogin, message: Outgoing, signal: AbortSignal, timeoutMs: number): Promise<void> {
  const transport = nodemailer.createTransport({
    host: server.host,
    port: server.port,
    secure: server.tls,
    // An empty login sends without AUTH (a server that relays for the gateway's network).
    auth: server.login ? { user: server.login, pass: server.password } : undefined,
    ignoreTLS: !server.tls,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  await conversation(signal, () => transport.close(), () =>
    transport.sendMail({
      from: message.from,
      to: message.to,
      cc: message.cc || undefined,
      subject: message.subject,
      text: message.text,
      date: message.date,
      messageId: message.messageId,
      inReplyTo: message.inReplyTo || undefined,
      references: message.inReplyTo || undefined,
      attachments: message.attachments,
    }),
  );
}
