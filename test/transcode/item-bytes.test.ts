// Item data as bytes carried in text: a large object cut into chunks at any byte, each chunk read
// as text on its own, comes back as the same bytes when the chunks are joined.
import test from 'ava';
import fc from 'fast-check';
import { decodeKeepingBytes, encodeKeepingBytes, itemText, keepsBytes } from '../../transcode/syncml/item-bytes.ts';
import { parseSyncml, textAt } from '../../transcode/syncml/tree.ts';

test('any bytes cut anywhere: each piece read as text, the pieces joined give the same bytes', (t) => {
  const bytes = fc.oneof(fc.uint8Array({ maxLength: 60 }), fc.string({ unit: 'binary', maxLength: 20 }).map((s) => new Uint8Array(Buffer.from(s, 'utf8'))));
  fc.assert(
    fc.property(bytes, fc.array(fc.nat(), { maxLength: 4 }), (b, cuts) => {
      const at = [...new Set(cuts.map((c) => c % (b.length + 1)))].sort((x, y) => x - y);
      const pieces = [0, ...at].map((from, i) => b.subarray(from, [...at, b.length][i]));
      const joined = Buffer.concat(pieces.map((p) => encodeKeepingBytes(decodeKeepingBytes(p))));
      t.deepEqual(joined, Buffer.from(b));
    }),
    { numRuns: 1000 },
  );
});

test('UTF-8 text reads as itself; a character cut in two is kept as its bytes', (t) => {
  const text = 'Bigge Note 日本語 😀 café';
  t.is(decodeKeepingBytes(Buffer.from(text)), text);
  t.false(keepsBytes(text), 'a surrogate pair is a character, not kept bytes');
  const bytes = Buffer.from('é😀');
  t.is(decodeKeepingBytes(bytes.subarray(0, 1)), '\udcc3');
  t.is(decodeKeepingBytes(bytes.subarray(1, 4)), '\udca9\udcf0\udc9f');
  t.is(itemText(Buffer.concat([encodeKeepingBytes('\udcc3'), encodeKeepingBytes('\udca9\udcf0\udc9f'), bytes.subarray(4)])), 'é😀');
  t.is(itemText(Buffer.from([0x4a, 0xfc, 0x72, 0x67])), 'Jürg', 'a whole item that is not UTF-8 is read as ISO-8859-1');
});

test('a SyncML message reads kept bytes only when told to', (t) => {
  const message = `<SyncML xmlns='SYNCML:SYNCML1.2'><SyncBody><Data>J\udcc3</Data></SyncBody></SyncML>`;
  t.throws(() => parseSyncml(message), { message: /U\+DCC3 is not allowed/ });
  t.is(textAt(parseSyncml(message, { keptBytes: true }).root, 'SyncBody/Data'), 'J\udcc3');
  t.throws(() => parseSyncml(message.replace('\udcc3', '\udc41'), { keptBytes: true }), { message: /U\+DC41 is not allowed/ }, 'no byte below 0x80 is ever kept');
});
