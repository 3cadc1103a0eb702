// UAProf profiles: fetched once per URL, read for the deck size and screen, and never a reason
// for a page to fail. Every outbound request is answered by nock; none may reach the network.
// Serial: nock intercepts for the whole process, so concurrent tests would answer each other.
import test from 'ava';
import nock from 'nock';
import { ProfileCache, parseProfile, profileUrl, publicHost } from '../../gateway/uaprof.ts';

/** Requests nock had no answer for: each test ends with none, and with every answer it set up used. */
const unexpected: string[] = [];

test.before(() => {
  nock.disableNetConnect();
  nock.enableNetConnect('127.0.0.1');
  nock.emitter.on('no match', (request: { url?: string; method?: string }) => unexpected.push(`${request.method} ${request.url}`));
});

test.afterEach.always((t) => {
  t.deepEqual(unexpected.splice(0), [], 'requests nock did not expect');
  t.deepEqual(nock.pendingMocks(), [], 'answers nobody asked for');
  nock.cleanAll();
});

test.after.always(() => {
  nock.enableNetConnect();
});

/** A Nokia Series 40 profile of the WAP 2.0 era, in the shape the maker published them: `prf:` properties, lists in rdf:Bag. */
const NOKIA_PROFILE = `<?xml version="1.0"?>
<!-- Nokia 6230 UAProf, hand-made for the tests in the published layout -->
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:prf="http://www.openmobilealliance.org/tech/profiles/UAPROF/ccppschema-20021212#">
  <rdf:Description rdf:ID="Profile">
    <prf:component>
      <rdf:Description rdf:ID="HardwarePlatform">
        <rdf:type rdf:resource="http://www.openmobilealliance.org/tech/profiles/UAPROF/ccppschema-20021212#HardwarePlatform"/>
        <prf:BitsPerPixel>16</prf:BitsPerPixel>
        <prf:ColorCapable>Yes</prf:ColorCapable>
        <prf:Keyboard>PhoneKeypad</prf:Keyboard>
        <prf:Model>6230</prf:Model>
        <prf:ScreenSize>128x128</prf:ScreenSize>
        <prf:ScreenSizeChar>15x6</prf:ScreenSizeChar>
        <prf:Vendor>Nokia</prf:Vendor>
      </rdf:Description>
    </prf:component>
    <prf:component>
      <rdf:Description rdf:ID="BrowserUA">
        <rdf:type rdf:resource="http://www.openmobilealliance.org/tech/profiles/UAPROF/ccppschema-20021212#BrowserUA"/>
        <prf:BrowserName>Nokia</prf:BrowserName>
        <prf:HtmlVersion>4.0</prf:HtmlVersion>
        <prf:XhtmlVersion>1.0</prf:XhtmlVersion>
      </rdf:Description>
    </prf:component>
    <prf:component>
      <rdf:Description rdf:ID="WapCharacteristics">
        <rdf:type rdf:resource="http://www.openmobilealliance.org/tech/profiles/UAPROF/ccppschema-20021212#WapCharacteristics"/>
        <prf:WapDeviceClass>C</prf:WapDeviceClass>
        <prf:WapVersion>2.0</prf:WapVersion>
        <!-- <prf:WmlDeckSize>1</prf:WmlDeckSize> an old value, commented out -->
        <prf:WmlDeckSize>9800</prf:WmlDeckSize>
        <prf:WmlScriptLibraries>
          <rdf:Bag>
            <rdf:li>Lang</rdf:li>
            <rdf:li>Float</rdf:li>
            <rdf:li>String</rdf:li>
          </rdf:Bag>
        </prf:WmlScriptLibraries>
        <prf:WmlVersion>
          <rdf:Bag>
            <rdf:li>1.1</rdf:li>
            <rdf:li>1.2</rdf:li>
            <rdf:li>1.3</rdf:li>
          </rdf:Bag>
        </prf:WmlVersion>
      </rdf:Description>
    </prf:component>
  </rdf:Description>
</rdf:RDF>
`;

/** A Sony Ericsson-style profile: its own prefix for the schema, the deck size inside an rdf:li. */
const SONY_ERICSSON_PROFILE = `<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:ns1="http://www.wapforum.org/profiles/UAPROF/ccppschema-20010430#">
  <rdf:Description rdf:about="http://wap.sonyericsson.com/UAprof/T610R201.xml">
    <ns1:component>
      <rdf:Description rdf:ID="HardwarePlatform">
        <ns1:ScreenSize>128x160</ns1:ScreenSize>
        <ns1:Vendor>Sony Ericsson Mobile Communications</ns1:Vendor>
        <ns1:Model>T610</ns1:Model>
      </rdf:Description>
    </ns1:component>
    <ns1:component>
      <rdf:Description rdf:ID="WapCharacteristics">
        <ns1:WmlDeckSize>
          <rdf:Bag><rdf:li> 3500 </rdf:li></rdf:Bag>
        </ns1:WmlDeckSize>
      </rdf:Description>
    </ns1:component>
  </rdf:Description>
</rdf:RDF>
`;

const NOKIA = 'http://nds1.nds.nokia.com/uaprof/N6230r200.xml';
const SE = 'http://wap.sonyericsson.com/UAprof/T610R201.xml';

function quietCache(options: ConstructorParameters<typeof ProfileCache>[0] = {}) {
  const logged: string[] = [];
  const cache = new ProfileCache({ log: (m) => logged.push(m), ...options });
  return { cache, logged };
}

test.serial('a Nokia profile gives its deck size and screen', async (t) => {
  const scope = nock('http://nds1.nds.nokia.com').get('/uaprof/N6230r200.xml').reply(200, NOKIA_PROFILE, { 'content-type': 'application/rdf+xml' });
  const { cache, logged } = quietCache();
  t.is(await cache.deckSizeFor(NOKIA), 9800);
  t.deepEqual(await cache.profileFor(NOKIA), { deckSize: 9800, screenPixels: { width: 128, height: 128 }, screenChars: { cols: 15, rows: 6 } });
  t.true(scope.isDone());
  t.deepEqual(logged, []);
});

test.serial('a Sony Ericsson profile with another prefix and the value in an rdf:li', async (t) => {
  nock('http://wap.sonyericsson.com').get('/UAprof/T610R201.xml').reply(200, SONY_ERICSSON_PROFILE);
  const { cache } = quietCache();
  t.deepEqual(await cache.profileFor(SE), { deckSize: 3500, screenPixels: { width: 128, height: 160 } });
});

test.serial('the URL is asked for once, however many times it is needed', async (t) => {
  const scope = nock('http://nds1.nds.nokia.com').get('/uaprof/N6230r200.xml').once().reply(200, NOKIA_PROFILE);
  const { cache } = quietCache();
  t.is(await cache.deckSizeFor(NOKIA), 9800);
  t.is(await cache.deckSizeFor(NOKIA), 9800);
  t.true(scope.isDone());
});

test.serial('20 requests at once for the same profile share one fetch', async (t) => {
  let requests = 0;
  nock('http://nds1.nds.nokia.com')
    .get('/uaprof/N6230r200.xml')
    .delay(50)
    .reply(200, () => {
      requests++;
      return NOKIA_PROFILE;
    });
  const { cache } = quietCache();
  const sizes = await Promise.all(Array.from({ length: 20 }, () => cache.deckSizeFor(NOKIA)));
  t.deepEqual(sizes, Array(20).fill(9800));
  t.is(requests, 1);
});

test.serial('knownDeckSize never waits: nothing the first time, the fetch started, the size once read', async (t) => {
  const scope = nock('http://nds1.nds.nokia.com').get('/uaprof/N6230r200.xml').once().reply(200, NOKIA_PROFILE);
  const { cache } = quietCache();
  t.is(cache.knownDeckSize(NOKIA), undefined);
  t.is(cache.knownDeckSize(NOKIA), undefined, 'still under way');
  t.is(await cache.deckSizeFor(NOKIA), 9800, 'the same fetch');
  t.is(cache.knownDeckSize(NOKIA), 9800);
  t.is(cache.knownDeckSize(undefined), undefined);
  t.true(scope.isDone());
});

test.serial('a profile read is kept for its own, longer time', async (t) => {
  nock('http://nds1.nds.nokia.com').get('/uaprof/N6230r200.xml').once().reply(200, NOKIA_PROFILE);
  const { cache } = quietCache({ failureTtlMs: 20, ttlMs: 60_000 });
  t.is(await cache.deckSizeFor(NOKIA), 9800);
  await new Promise((r) => setTimeout(r, 50));
  t.is(await cache.deckSizeFor(NOKIA), 9800, 'not asked again: nock would not answer');
});

test.serial('a 404 gives no deck size, is logged once, and is not asked again while remembered', async (t) => {
  const scope = nock('http://nds1.nds.nokia.com').get('/uaprof/N6230r200.xml').once().reply(404, '<html><body>Not Found</body></html>');
  const { cache, logged } = quietCache();
  t.is(await cache.deckSizeFor(NOKIA), undefined);
  t.is(await cache.deckSizeFor(NOKIA), undefined);
  t.true(scope.isDone());
  t.is(logged.length, 1);
  t.regex(logged[0], /N6230r200\.xml.*404/);
});

test.serial('a failure is tried again after its shorter time, and is not logged twice', async (t) => {
  nock('http://nds1.nds.nokia.com').get('/uaprof/N6230r200.xml').reply(503).get('/uaprof/N6230r200.xml').reply(503).get('/uaprof/N6230r200.xml').reply(200, NOKIA_PROFILE);
  const { cache, logged } = quietCache({ failureTtlMs: 30, ttlMs: 60_000 });
  t.is(await cache.deckSizeFor(NOKIA), undefined);
  t.is(await cache.deckSizeFor(NOKIA), undefined, 'still remembered');
  await new Promise((r) => setTimeout(r, 60));
  t.is(await cache.deckSizeFor(NOKIA), undefined, 'tried again, failed again');
  await new Promise((r) => setTimeout(r, 60));
  t.is(await cache.deckSizeFor(NOKIA), 9800, 'tried again, read');
  t.is(logged.length, 1);
});

test.serial('a profile that does not answer in time gives up at the timeout', async (t) => {
  // An async reply rather than .delay(): nock's delayed reply still fires after the abort, and
  // undici then asserts on the aborted request in a way no test can catch.
  nock('http://nds1.nds.nokia.com')
    .get('/uaprof/N6230r200.xml')
    .reply(async () => {
      await new Promise((r) => setTimeout(r, 1000));
      return [200, NOKIA_PROFILE];
    });
  const { cache, logged } = quietCache({ timeoutMs: 150 });
  const started = Date.now();
  t.is(await cache.deckSizeFor(NOKIA), undefined);
  t.true(Date.now() - started < 1500, `took ${Date.now() - started} ms`);
  t.regex(logged[0], /no answer within 150 ms/);
});

test.serial('a body that stalls halfway gives up at the timeout too', async (t) => {
  const { cache, logged } = quietCache({
    timeoutMs: 150,
    fetch: async () =>
      new Response(
        new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode('<rdf:RDF>'));
          },
        }),
      ),
  });
  t.is(await cache.deckSizeFor(NOKIA), undefined);
  t.regex(logged[0], /no answer within 150 ms/);
});

test.serial('garbage, and documents without the properties, give nothing', async (t) => {
  nock('http://nds1.nds.nokia.com')
    .get('/uaprof/garbage.xml')
    .reply(200, '\u0000\u0001<<<rdf:RDF <prf:WmlDeckSize>not a number</prf:WmlDeckSize')
    .get('/uaprof/html.xml')
    .reply(200, '<!doctype html><title>Welcome to Nokia</title><p>The page moved.')
    .get('/uaprof/empty.xml')
    .reply(200, '');
  const { cache, logged } = quietCache();
  for (const name of ['garbage', 'html', 'empty']) t.is(await cache.deckSizeFor(`http://nds1.nds.nokia.com/uaprof/${name}.xml`), undefined, name);
  t.is(logged.length, 3);
});

test.serial('a huge profile is abandoned, whether it says its length or not', async (t) => {
  const huge = `<rdf:RDF><prf:WmlDeckSize>1400</prf:WmlDeckSize>${' '.repeat(300 * 1024)}</rdf:RDF>`;
  nock('http://nds1.nds.nokia.com')
    .get('/uaprof/declared.xml')
    .reply(200, huge, { 'content-length': String(huge.length) })
    .get('/uaprof/streamed.xml')
    .reply(200, () => {
      // A body without Content-Length, as chunks: the reader stops at the limit.
      const { Readable } = process.getBuiltinModule('node:stream');
      return Readable.from((function* () {
        for (let i = 0; i < 100; i++) yield Buffer.alloc(16 * 1024, 0x20);
      })());
    });
  const { cache, logged } = quietCache();
  t.is(await cache.deckSizeFor('http://nds1.nds.nokia.com/uaprof/declared.xml'), undefined);
  t.is(await cache.deckSizeFor('http://nds1.nds.nokia.com/uaprof/streamed.xml'), undefined);
  t.regex(logged[0], /more than 262144/);
  t.regex(logged[1], /more than 262144/);
});

test.serial('a profile just under the limit is read', async (t) => {
  const body = `<rdf:RDF>${' '.repeat(200 * 1024)}<prf:WmlDeckSize>2800</prf:WmlDeckSize></rdf:RDF>`;
  nock('http://nds1.nds.nokia.com').get('/uaprof/big.xml').reply(200, body);
  const { cache } = quietCache();
  t.is(await cache.deckSizeFor('http://nds1.nds.nokia.com/uaprof/big.xml'), 2800);
});

test.serial('a redirect to the profile is followed; one to a private address is not', async (t) => {
  nock('http://nds.nokia.com').get('/uaprof/N6230r200.xml').reply(301, '', { location: 'http://nds1.nds.nokia.com/uaprof/N6230r200.xml' });
  nock('http://nds1.nds.nokia.com').get('/uaprof/N6230r200.xml').reply(200, NOKIA_PROFILE);
  nock('http://evil.example').get('/p.xml').reply(302, '', { location: 'http://169.254.169.254/latest/meta-data/' });
  const { cache, logged } = quietCache();
  t.is(await cache.deckSizeFor('http://nds.nokia.com/uaprof/N6230r200.xml'), 9800);
  t.is(await cache.deckSizeFor('http://evil.example/p.xml'), undefined);
  t.regex(logged[0], /169\.254\.169\.254 is not a public host/);
});

test.serial('URLs that are not http(s), or name a private host, are never fetched', async (t) => {
  let calls = 0;
  const { cache } = quietCache({ fetch: async () => (calls++, new Response(NOKIA_PROFILE)) });
  for (const url of [undefined, '', 'ftp://nds.nokia.com/p.xml', 'file:///etc/passwd', 'javascript:alert(1)', 'http://127.0.0.1/p.xml', 'http://localhost:8080/p.xml', 'http://10.0.0.8/p.xml', 'http://[::1]/p.xml', 'http://user:pw@nds.nokia.com/p.xml', 'not a url']) {
    t.is(await cache.deckSizeFor(url), undefined, String(url));
  }
  t.is(calls, 0);
});

test.serial('too many look-ups under way: a new URL goes without, and is tried later', async (t) => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const urls: string[] = [];
  const { cache } = quietCache({
    maxConcurrent: 1,
    fetch: async (input) => {
      urls.push(String(input));
      await gate;
      return new Response(NOKIA_PROFILE);
    },
  });
  const first = cache.deckSizeFor(NOKIA);
  t.is(await cache.deckSizeFor(SE), undefined);
  release();
  t.is(await first, 9800);
  t.is(await cache.deckSizeFor(SE), 9800);
  t.deepEqual(urls, [NOKIA, SE]);
});

test.serial('a logger that throws does not fail the look-up', async (t) => {
  nock('http://nds1.nds.nokia.com').get('/uaprof/N6230r200.xml').reply(500);
  const cache = new ProfileCache({
    log: () => {
      throw new Error('disk full');
    },
  });
  t.is(await cache.deckSizeFor(NOKIA), undefined);
});

test.serial('the profile URL is taken from x-wap-profile or Profile, quotes stripped', (t) => {
  t.is(profileUrl('"http://nds1.nds.nokia.com/uaprof/N6230r200.xml"'), NOKIA);
  t.is(profileUrl(`'${SE}'`), SE);
  t.is(profileUrl(SE), SE);
  t.is(profileUrl('"http://nds1.nds.nokia.com/uaprof/N6230r200.xml", "1-Rb0sq/nuUFQU75vAjKyiHw=="'), NOKIA);
  t.is(profileUrl('"1-Rb0sq/nuUFQU75vAjKyiHw==", "http://nds1.nds.nokia.com/uaprof/N6230r200.xml"'), NOKIA);
  t.is(profileUrl(undefined, `"${SE}"`), SE, 'the WSP Profile header when there is no x-wap-profile');
  t.is(profileUrl('"ftp://nds.nokia.com/p.xml"'), undefined);
  t.is(profileUrl('""'), undefined);
  t.is(profileUrl(undefined, undefined), undefined);
});

test.serial('profiles are read in their element, rdf:li and attribute forms', (t) => {
  t.deepEqual(parseProfile('<r><prf:WmlDeckSize>1400</prf:WmlDeckSize></r>'), { deckSize: 1400 });
  t.deepEqual(parseProfile('<r><WmlDeckSize rdf:datatype="x">\n 2800 \n</WmlDeckSize></r>'), { deckSize: 2800 });
  t.deepEqual(parseProfile('<rdf:Description prf:WmlDeckSize="3000" prf:ScreenSizeChar=\'20x8\'/>'), { deckSize: 3000, screenChars: { cols: 20, rows: 8 } });
  t.deepEqual(parseProfile('<prf:ScreenSizeChar>12x4</prf:ScreenSizeChar><prf:ScreenSize>96x65</prf:ScreenSize>'), { screenPixels: { width: 96, height: 65 }, screenChars: { cols: 12, rows: 4 } });
  t.is(parseProfile('<prf:WmlDeckSize>0</prf:WmlDeckSize>'), undefined, 'zero is not a size');
  t.is(parseProfile('<prf:WmlDeckSize>-5</prf:WmlDeckSize>'), undefined);
  t.is(parseProfile('<prf:WmlDeckSizeX>1400</prf:WmlDeckSizeX>'), undefined, 'another property');
});

test.serial('hosts: public names and addresses only', (t) => {
  for (const host of ['nds.nokia.com', 'wap.sonyericsson.com', '8.8.8.8', '[2001:db8::1]']) t.true(publicHost(host), host);
  for (const host of ['localhost', 'a.localhost', '127.0.0.1', '10.1.2.3', '172.16.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '[::1]', '[fe80::1]', '[fd00::1]', '[::ffff:127.0.0.1]']) t.false(publicHost(host), host);
});
