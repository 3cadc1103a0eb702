import test from 'ava';
import fc from 'fast-check';
import { gsmLength, smsText, toGsm } from '../../transcode/gsm.ts';

test('GSM 03.38: the basic table counts one, the extension table two, the rest loses accents or becomes ?', (t) => {
  t.is(gsmLength('Hello @£$¥èé'), 12);
  t.is(gsmLength('[€]{^}~|\\'), 18);
  t.is(toGsm('Château Côte-Rôtie'), 'Chateau Cote-Rotie');
  t.is(toGsm('Pétrus, Müller, Ñandú'), 'Pétrus, Müller, Ñandu', 'é, ü, Ñ are GSM; ú is not');
  t.is(toGsm('日本 ワイン'), '?? ???');
});

test('an SMS keeps its link whole and cuts the text before it, counting extension characters twice', (t) => {
  const link = 'http://gw.example/a/123456';
  const text = smsText('[alarm] ' + 'x'.repeat(200), link);
  t.is(gsmLength(text), 160);
  t.true(text.endsWith(`x... ${link}`));
  const euros = smsText('€'.repeat(100), link);
  t.true(gsmLength(euros) <= 160);
  t.true(gsmLength(euros) >= 159, 'a two-septet character that does not fit leaves one septet over');
  t.is(smsText('Short', link), `Short ${link}`);
  t.throws(() => smsText('x', 'y'.repeat(158)), { instanceOf: RangeError });
});

test('property: any text makes one SMS of at most 160 septets ending in its link', (t) => {
  fc.assert(
    fc.property(fc.string({ maxLength: 400, unit: 'binary' }), fc.webUrl({ size: 'small' }).filter((u) => u.length < 80), (text, link) => {
      const sms = smsText(text, link);
      return gsmLength(sms) <= 160 && sms.endsWith(` ${toGsm(link)}`) && [...sms].every((c) => gsmLength(c) <= 2);
    }),
  );
  t.pass();
});
