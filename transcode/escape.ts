// Cleaning of text on its way into markup. Pure functions: strings in, strings out.
// Entity escaping (& < > " ' → &amp; &lt; &gt; &quot; &#39;, valid in WML, cHTML and HTML alike)
// is nunjucks' autoescape, applied by gateway/render.ts to every value a template prints.

/**
 * What XML 1.0 cannot hold: C0 controls but tab, LF and CR; U+FFFE/U+FFFF; lone surrogates.
 * With the `u` flag a well-formed surrogate pair is one code point, outside the class.
 */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/gu;

/** Text for an HTML or cHTML page: without the characters no parser should see. */
export function forHtml(s: string): string {
  return s.replace(NOT_XML, '');
}

/** Text for a WML deck: valid XML, and `$` doubled so that the phone never reads it as a variable. */
export function forWml(s: string): string {
  return forHtml(s).replaceAll('$', () => '$$');
}

/** Applies `fn` to every string of a plain model (arrays, plain objects); other values stay as they are. */
export function mapStrings<T>(value: T, fn: (s: string) => string): T {
  if (typeof value === 'string') return fn(value) as T;
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, fn)) as T;
  if (isPlainObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mapStrings(v, fn)])) as T;
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
