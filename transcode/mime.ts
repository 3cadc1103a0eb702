// A raw message (RFC 5322 bytes) as what a small screen shows: addresses, date, subject, the text
// (HTML turned into clean text when there is no plain part) and the attachments. Charsets are
// mailparser's work (iconv-lite, and encoding-japanese for ISO-2022-JP): bodies, and headers
// in RFC 2047 words, quoted-printable or base64, come out as Unicode.
import { simpleParser, type AddressObject } from 'mailparser';
import { htmlToText } from './html-text.ts';

export interface MailAttachment {
  name: string;
  type: string;
  content: Buffer;
}

export interface MailContent {
  from: string;
  to: string;
  cc: string;
  /** Milliseconds since the epoch; null when the Date header is missing or unreadable. */
  date: number | null;
  subject: string;
  messageId: string;
  inReplyTo: string;
  text: string;
  attachments: MailAttachment[];
}

/** Addresses as one line: `Name <address>` joined by commas. */
function addressLine(field: AddressObject | AddressObject[] | undefined): string {
  const list = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return list
    .flatMap((a) => a.value)
    .map((a) => (a.name && a.address ? `${a.name} <${a.address}>` : a.address || a.name))
    .filter(Boolean)
    .join(', ');
}

export async function parseMail(raw: Buffer): Promise<MailContent> {
  const mail = await simpleParser(raw, { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true });
  const plain = (mail.text ?? '').trim();
  const text = plain || (typeof mail.html === 'string' ? htmlToText(mail.html) : '');
  const date = mail.date && !Number.isNaN(mail.date.getTime()) ? mail.date.getTime() : null;
  return {
    from: addressLine(mail.from),
    to: addressLine(mail.to),
    cc: addressLine(mail.cc),
    date,
    subject: mail.subject ?? '',
    messageId: mail.messageId ?? '',
    inReplyTo: mail.inReplyTo ?? '',
    text: text.replace(/\r\n?/g, '\n'),
    attachments: mail.attachments
      .filter((a) => a.contentDisposition === 'attachment' || a.filename)
      .map((a, i) => ({ name: a.filename || `attachment-${i + 1}`, type: a.contentType, content: a.content })),
  };
}
