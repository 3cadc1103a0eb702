// Text on its way into WML, cHTML and HTML: escaped, cleaned of what XML cannot hold, `$` kept literal in WML.
import test from 'ava';
import fc from 'fast-check';
import { forHtml, forWml, mapStrings } from '../../transcode/escape.ts';

const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF\uD800-\uDFFF]/u;

test('WML text loses the controls XML forbids but keeps tab, newline and carriage return', (t) => {
  t.is(forWml('a\u0000b\u0001c\u0008d\u000Be\u000Cf\u001Fg'), 'abcdefg');
  t.is(forWml('tab\tline\ncr\r'), 'tab\tline\ncr\r');
  t.is(forWml('x\uFFFEy\uFFFFz'), 'xyz');
});

test('lone surrogates go, a surrogate pair (an emoji) stays', (t) => {
  t.is(forWml('a\uD800b\uDC00c'), 'abc');
  t.is(forWml('wine 🍷'), 'wine 🍷');
  t.is(forHtml('🍷\uD83C'), '🍷');
});

test('WML doubles every $, so that a phone never reads user text as a variable', (t) => {
  t.is(forWml('$(x) costs $5, $$'), '$$(x) costs $$5, $$$$');
  t.is(forHtml('$(x)'), '$(x)', 'HTML has no variables');
});

test('any string becomes text XML can hold, and undoubling its $ gives the HTML form', (t) => {
  fc.assert(
    fc.property(fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }), (s) => {
      const wml = forWml(s);
      return !NOT_XML.test(wml) && wml.replaceAll('$$', '$') === forHtml(s) && !NOT_XML.test(forHtml(s));
    }),
  );
  t.pass();
});

test('the deep map reaches every string of a model and leaves other values alone', (t) => {
  const model = {
    title: 'a$',
    count: 3,
    none: false,
    missing: undefined,
    nothing: null,
    db: { name: 'b$', url: '/d/1' },
    records: [{ label: 'c$', url: '/r/1' }, 'd$'],
  };
  const mapped = mapStrings(model, (s) => s.toUpperCase());
  t.deepEqual(mapped, {
    title: 'A$',
    count: 3,
    none: false,
    missing: undefined,
    nothing: null,
    db: { name: 'B$', url: '/D/1' },
    records: [{ label: 'C$', url: '/R/1' }, 'D$'],
  });
  t.is(model.db.name, 'b$', 'the model itself is not changed');
});
