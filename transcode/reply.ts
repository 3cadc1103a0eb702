// The text of a reply or a forward: subject prefixes that do not pile up, the original quoted
// below what the user typed (a phone types a line or two; the quote is added here, not in the form).

export interface Original {
  from: string;
  to: string;
  date: string;
  subject: string;
  text: string;
}

const PREFIX = /^\s*((re|fwd?|aw|tr|sv)\s*(\[\d+\])?:\s*)+/i;

export function replySubject(subject: string): string {
  return `Re: ${subject.replace(PREFIX, '')}`;
}

export function forwardSubject(subject: string): string {
  return `Fwd: ${subject.replace(PREFIX, '')}`;
}

export function quoteReply(typed: string, original: Original): string {
  const quoted = original.text
    .split('\n')
    .map((line) => (line.startsWith('>') ? `>${line}` : `> ${line}`))
    .join('\n');
  return `${typed.trimEnd()}\n\n${original.date}, ${original.from} wrote:\n${quoted}\n`;
}

export function quoteForward(typed: string, original: Original): string {
  return `${typed.trimEnd()}\n\n---------- Forwarded message ----------\nFrom: ${original.from}\nDate: ${original.date}\nSubject: ${original.subject}\nTo: ${original.to}\n\n${original.text}\n`;
}
