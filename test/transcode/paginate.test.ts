// Cutting lists to a byte budget and long values into pieces.
import test from 'ava';
import fc from 'fast-check';
import { fitCount, splitText } from '../../transcode/paginate.ts';

/** Non-decreasing page sizes for 0..n items, as a renderer with a fixed frame would give. */
const pageSizes = fc
  .tuple(fc.nat({ max: 500 }), fc.array(fc.nat({ max: 300 }), { maxLength: 60 }))
  .map(([frame, items]) => items.reduce<number[]>((sizes, size) => [...sizes, sizes[sizes.length - 1] + size], [frame]));

test('fitCount is the largest number of items that fits, found in few renders', (t) => {
  fc.assert(
    fc.property(pageSizes, fc.nat({ max: 20000 }), (sizes, budget) => {
      const max = sizes.length - 1;
      let renders = 0;
      const n = fitCount(max, (k) => (renders++, sizes[k]), budget);
      let expected = 0;
      for (let k = 1; k <= max; k++) if (sizes[k] <= budget) expected = k;
      return n === expected && renders <= Math.ceil(Math.log2(max + 1)) + 1;
    }),
  );
  t.pass();
});

test('fitCount gives 0 for an empty list or when one item alone is too large', (t) => {
  t.is(fitCount(0, () => 0, 100), 0);
  t.is(fitCount(5, (n) => 200 + n, 100), 0);
  t.is(fitCount(5, (n) => n * 10, 1000), 5);
});

const text = fc.string({ unit: fc.oneof(fc.constantFrom(' ', '\n', 'a', 'é', '日', '🍷'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })), maxLength: 400 });

test('the pieces of a long value join back into it, each within the limit and none empty', (t) => {
  fc.assert(
    fc.property(text, fc.integer({ min: 1, max: 60 }), (s, max) => {
      const pieces = splitText(s, max);
      return pieces.join('') === s && pieces.every((p) => p.length > 0 && [...p].length <= max && p.isWellFormed());
    }),
  );
  t.pass();
});

test('a value is cut after a space rather than inside a word', (t) => {
  const pieces = splitText('the quick brown fox jumps over the lazy dog', 12);
  t.deepEqual(pieces, ['the quick ', 'brown fox ', 'jumps over ', 'the lazy dog']);
});

test('a word longer than the limit is cut where it must, and an emoji is never halved', (t) => {
  t.deepEqual(splitText('abcdefghij', 4), ['abcd', 'efgh', 'ij']);
  t.deepEqual(splitText('🍷🍷🍷', 2), ['🍷🍷', '🍷']);
  t.deepEqual(splitText('', 10), []);
  t.deepEqual(splitText('short', 10), ['short']);
});
