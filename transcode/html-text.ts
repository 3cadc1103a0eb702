// HTML mail as clean text for a small screen: scripts, styles and comments dropped, blocks as line
// breaks, list items as "- ", a link's address after its text when the text does not show it,
// entities decoded, runs of white space folded (except in <pre>), at most one empty line in a row.
import he from 'he';

const DROPPED = /<(script|style|head|title|template)\b[^>]*>[\s\S]*?<\/\1\s*>|<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<![^>]*>/gi;
const BLOCK = /^(p|div|br|tr|table|h[1-6]|blockquote|section|article|header|footer|ul|ol|dl|dt|dd|hr|address|center|form|fieldset|pre)$/;
const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)\b((?:[^>"']|"[^"]*"|'[^']*')*)>|([^<]+)|</g;

const attribute = (attrs: string, name: string) => new RegExp(`\\b${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(attrs)?.slice(1).find((v) => v !== undefined);

export function htmlToText(html: string): string {
  const out: string[] = [];
  let pre = 0;
  const links: { href: string; start: number }[] = [];
  for (const m of html.replace(DROPPED, '').matchAll(TAG)) {
    const [, closing, rawName, attrs, text] = m;
    if (text !== undefined || rawName === undefined) {
      // A no-break space is layout, not text: a phone wraps it like any other.
      const decoded = he.decode(text ?? '<').replace(/\u00a0/g, ' ');
      out.push(pre ? decoded : decoded.replace(/[ \t\r\n\f]+/g, ' '));
      continue;
    }
    const name = rawName.toLowerCase();
    if (name === 'pre') pre += closing ? -1 : 1;
    if (name === 'li' && !closing) out.push('\n- ');
    else if (name === 'td' || name === 'th') out.push(closing ? '' : ' ');
    else if (name === 'img' && !closing) out.push(attribute(attrs, 'alt') ?? '');
    else if (name === 'a') {
      if (!closing) links.push({ href: he.decode(attribute(attrs, 'href') ?? ''), start: out.length });
      else {
        const link = links.pop();
        if (link && /^(https?|ftp):/i.test(link.href) && !out.slice(link.start).join('').includes(link.href)) out.push(` <${link.href}>`);
      }
    } else if (BLOCK.test(name)) out.push(name === 'p' || /^h\d$/.test(name) || name === 'blockquote' ? '\n\n' : '\n');
  }
  return out
    .join('')
    .split('\n')
    .map((line) => line.replace(/[ \t\u00a0]+$/, '').replace(/^ (?=\S)/, ''))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
