// Raw messages as other mail programs send them, built byte by byte: the charsets and shapes the
// reading side must get right. Each takes a unique tag, put in the subject, to find it again.
import iconv from 'iconv-lite';

const CRLF = '\r\n';

/** ISO-2022-JP (RFC 1468): JIS X 0208 runs between ESC $ B and ESC ( B; their bytes are EUC-JP's with the high bit off. */
export function iso2022jp(text: string): Buffer {
  const parts: Buffer[] = [];
  for (const [run] of text.matchAll(/[\x00-\x7f]+|[^\x00-\x7f]+/g)) {
    if (/^[\x00-\x7f]/.test(run)) parts.push(Buffer.from(run, 'ascii'));
    else parts.push(Buffer.from('\x1b$B', 'latin1'), Buffer.from(iconv.encode(run, 'euc-jp').map((b) => b & 0x7f)), Buffer.from('\x1b(B', 'latin1'));
  }
  return Buffer.concat(parts);
}

const headers = (tag: string, subjectLine: string, extra: string[] = []) =>
  [`From: Sender <sender@lab.test>`, `To: Reader <reader@lab.test>`, `Subject: ${subjectLine}`, `Date: Mon, 30 Nov 2026 09:15:00 +0900`, `Message-ID: <${tag}@lab.test>`, 'MIME-Version: 1.0', ...extra].join(CRLF);

export const JAPANESE = { subject: '会議の件', body: 'こんにちは。明日の会議は十時からです。' };

export function japaneseMail(tag: string): Buffer {
  const subject = `=?ISO-2022-JP?B?${iso2022jp(JAPANESE.subject).toString('base64')}?= ${tag}`;
  return Buffer.concat([
    Buffer.from(headers(tag, subject, ['Content-Type: text/plain; charset=ISO-2022-JP', 'Content-Transfer-Encoding: 7bit']) + CRLF + CRLF),
    iso2022jp(JAPANESE.body),
    Buffer.from(CRLF),
  ]);
}

export const SHIFT_JIS = { body: 'お元気ですか。ファイルを送ります。' };

export function shiftJisMail(tag: string): Buffer {
  return Buffer.concat([
    Buffer.from(headers(tag, `=?Shift_JIS?B?${iconv.encode('ご挨拶', 'shift_jis').toString('base64')}?= ${tag}`, ['Content-Type: text/plain; charset=Shift_JIS', 'Content-Transfer-Encoding: 8bit']) + CRLF + CRLF),
    iconv.encode(SHIFT_JIS.body, 'shift_jis'),
    Buffer.from(CRLF),
  ]);
}

export const LATIN1 = { subject: 'Café crème à Genève', body: 'Voilà: déjà vu, façade, naïve, Ærø, £5.' };

export function latin1Mail(tag: string): Buffer {
  const qp = [...iconv.encode(LATIN1.subject, 'latin1')].map((b) => (b === 0x20 ? '_' : b > 0x7e || b === 0x3d || b === 0x3f || b === 0x5f ? `=${b.toString(16).toUpperCase()}` : String.fromCharCode(b))).join('');
  return Buffer.concat([
    Buffer.from(headers(tag, `=?ISO-8859-1?Q?${qp}?= ${tag}`, ['Content-Type: text/plain; charset=ISO-8859-1', 'Content-Transfer-Encoding: 8bit']) + CRLF + CRLF),
    iconv.encode(LATIN1.body, 'latin1'),
    Buffer.from(CRLF),
  ]);
}

export const HTML = {
  html: '<html><head><style>p{color:red}</style><script>alert(1)</script></head><body><h1>News&nbsp;letter</h1><p>Dear reader,<br>our <b>spring</b> offer:</p><ul><li>one</li><li>two &amp; three</li></ul><p><a href="https://shop.example/offer">See the offer</a></p><!-- tracking --></body></html>',
  text: 'News letter\n\nDear reader,\nour spring offer:\n\n- one\n- two & three\n\nSee the offer <https://shop.example/offer>',
};

export function htmlMail(tag: string): Buffer {
  return Buffer.from(headers(tag, `Newsletter ${tag}`, ['Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable']) + CRLF + CRLF + HTML.html.replace(/=/g, '=3D') + CRLF);
}

export const ATTACHED = { text: 'Here are the files.', files: [{ name: 'notes.txt', type: 'text/plain', content: Buffer.from('Line one\r\nLine two\r\n') }, { name: 'photo.jpg', type: 'image/jpeg', content: Buffer.alloc(30_000, 7) }] };

export function attachmentMail(tag: string, files = ATTACHED.files): Buffer {
  const boundary = `b-${tag}`;
  const parts = [`--${boundary}${CRLF}Content-Type: text/plain; charset=utf-8${CRLF}${CRLF}${ATTACHED.text}${CRLF}`];
  for (const f of files) {
    const b64 = f.content.toString('base64').replace(/.{76}/g, `$&${CRLF}`);
    parts.push(`--${boundary}${CRLF}Content-Type: ${f.type}; name="${f.name}"${CRLF}Content-Disposition: attachment; filename="${f.name}"${CRLF}Content-Transfer-Encoding: base64${CRLF}${CRLF}${b64}${CRLF}`);
  }
  return Buffer.from(headers(tag, `Files ${tag}`, [`Content-Type: multipart/mixed; boundary="${boundary}"`]) + CRLF + CRLF + parts.join('') + `--${boundary}--${CRLF}`);
}

/** A body of about `bytes` bytes in numbered lines, a line starting with a dot among them (POP3 dot-stuffing). */
export function bigMail(tag: string, bytes = 200 * 1024): { raw: Buffer; body: string } {
  const lines: string[] = [];
  for (let i = 0, size = 0; size < bytes; i++) {
    const line = i === 3 ? '.Line 00003 starts with a dot, which POP3 doubles on the wire.' : `Line ${String(i).padStart(5, '0')} of a long message, words to fill the screen of a phone.`;
    lines.push(line);
    size += line.length + 2;
  }
  const body = lines.join('\n');
  return { raw: Buffer.from(headers(tag, `Long ${tag}`, ['Content-Type: text/plain; charset=us-ascii']) + CRLF + CRLF + lines.join(CRLF) + CRLF), body };
}

export function plainMail(tag: string, subject: string, body: string): Buffer {
  return Buffer.from(headers(tag, `${subject} ${tag}`, ['Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit']) + CRLF + CRLF + body + CRLF);
}
