// GSM 03.38, the 7-bit alphabet of an SMS: 160 characters a message, where the characters of the
// extension table (reached through an escape) count as two. Text outside both tables loses its
// accents where that helps (â → a) and becomes '?' where not.

const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const EXTENSION = '\f^{}\\[~]|€';

export const SMS_SEPTETS = 160;

const basic = new Set([...BASIC].filter((c) => c !== '\u001b'));
const extension = new Set(EXTENSION);

/** Septets a character takes: 1 (basic table), 2 (extension table), 0 (not in GSM 03.38). */
function septets(c: string): number {
  return basic.has(c) ? 1 : extension.has(c) ? 2 : 0;
}

/** The text in GSM 03.38 characters only. */
export function toGsm(text: string): string {
  return [...text]
    .map((c) => {
      if (septets(c)) return c;
      const bare = c.normalize('NFD').replace(/\p{M}/gu, '');
      return [...bare].every((b) => septets(b)) ? bare : /\s/.test(c) ? ' ' : '?';
    })
    .join('');
}

/** Septets GSM text takes (characters outside GSM 03.38 are counted as the '?' they become). */
export function gsmLength(text: string): number {
  return [...text].reduce((n, c) => n + (septets(c) || 1), 0);
}

/**
 * One SMS: `text` made GSM, cut to leave room for `link`, which is kept whole at the end. What is
 * cut ends in "...".
 */
export function smsText(text: string, link: string, limit = SMS_SEPTETS): string {
  const tail = ` ${toGsm(link)}`;
  const room = limit - gsmLength(tail);
  if (room < 4) throw new RangeError(`a link of ${gsmLength(tail)} septets leaves no room in an SMS`);
  const body = toGsm(text.replace(/\s+/g, ' ').trim());
  if (gsmLength(body) <= room) return body + tail;
  let cut = '';
  for (const c of body) {
    if (gsmLength(cut + c) > room - 3) break;
    cut += c;
  }
  return `${cut.trimEnd()}...${tail}`;
}
