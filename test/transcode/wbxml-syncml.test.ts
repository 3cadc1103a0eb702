// SyncML over WBXML: the recorded SyncEvolution sessions re-encoded byte for byte, every recorded
// XML message through our codec and through libwbxml2 both ways, and malformed bytes refused with
// a WbxmlError, never a crash.
import test from 'ava';
import fc from 'fast-check';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { vocabularyIndex } from '../../transcode/wbxml/code-pages.ts';
import { WbxmlError } from '../../transcode/wbxml/decode.ts';
import { decodeSyncml, encodeSyncml, syncmlTree, toSyncmlXml, type SyncmlDocument } from '../../transcode/wbxml/syncml.ts';
import { DEVINF_12, SYNCML_11, SYNCML_12 } from '../../transcode/wbxml/syncml-tokens.ts';
import { encodeKeepingBytes, itemText } from '../../transcode/syncml/item-bytes.ts';
import type { TagElement } from '../../transcode/wbxml/tags.ts';
import { libwbxml } from '../support/libwbxml.ts';
import { FIXTURES, messages, sessions } from '../support/syncml-fixtures.ts';

/** XML reads CR LF as LF (XML 1.0 §2.11); libwbxml keeps the CR of CDATA. */
const lf = (d: SyncmlDocument): SyncmlDocument => JSON.parse(JSON.stringify(d).replace(/\\r\\n/g, '\\n'));
const find = (e: TagElement, name: string): TagElement | undefined =>
  e.name === name ? e : e.children.flatMap((c) => (typeof c === 'string' ? [] : [find(c, name)])).find(Boolean);

test('every recorded WBXML message decodes, and encodes again to the very bytes SyncEvolution sent', (t) => {
  const all = messages('wbxml');
  t.is(all.length, 12);
  for (const { session, file, body } of all) {
    const doc = decodeSyncml(body);
    t.is(doc.vocabulary, SYNCML_12, file);
    t.deepEqual(encodeSyncml(doc, { stringTable: false }), body, `${session}/${file}`);
  }
});

test('the recorded WBXML messages read as the client engine\'s own XML rendering of them', (t) => {
  for (const session of ['17-wbxml-slow', '18-wbxml-two-way']) {
    const dir = join(FIXTURES, session, 'xml-translation-by-client');
    const rendered = readdirSync(dir).sort();
    const wire = messages('wbxml').filter((m) => m.session === session);
    // The engine numbers its messages 001-outgoing, 002-incoming…; the wire has 001-req, 001-resp…
    for (const [i, m] of wire.entries()) {
      const theirs = syncmlTree(readFileSync(join(dir, rendered[i]), 'utf8'));
      // The engine renders the DevInf's type as it went on the wire (+wbxml); we give it back for XML.
      const ours = syncmlTree(toSyncmlXml(decodeSyncml(m.body)).replaceAll('devinf+xml', 'devinf+wbxml'));
      t.deepEqual(lf(ours), theirs, `${session}/${m.file} = ${rendered[i]}`);
    }
  }
});

test('every recorded XML message: decode(encode(x)) = x, in fewer bytes', (t) => {
  const all = messages('xml');
  t.true(all.length > 60);
  for (const { session, file, body } of all) {
    const doc = syncmlTree(body.toString('utf8'));
    const inline = encodeSyncml(doc, { stringTable: false });
    const wbxml = encodeSyncml(doc);
    t.deepEqual(decodeSyncml(wbxml), doc, `${session}/${file}`);
    t.deepEqual(decodeSyncml(inline), doc, `${session}/${file} without string table`);
    t.deepEqual(syncmlTree(toSyncmlXml(doc)), doc, `${session}/${file} as XML again`);
    t.true(wbxml.length <= inline.length && inline.length < body.length, `${session}/${file}: ${wbxml.length} WBXML bytes, ${inline.length} without string table, ${body.length} XML`);
  }
});

// One test a session: each spawns libwbxml's tools a few dozen times.
for (const name of sessions().filter((s) => messages('xml').some((m) => m.session === s))) {
  test(`${name}: libwbxml2 reads our WBXML as the same messages, and we read what it encodes (with and without string table)`, (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'syncml-wbxml-'));
    try {
      for (const { session, file, body } of messages('xml').filter((m) => m.session === name)) {
        const doc = syncmlTree(body.toString('utf8'));
        for (const stringTable of [true, false]) {
          const ours = join(dir, 'ours.wbxml');
          writeFileSync(ours, encodeSyncml(doc, { stringTable }));
          libwbxml('wbxml2xml', ['-o', `${ours}.xml`, ours]);
          t.deepEqual(syncmlTree(readFileSync(`${ours}.xml`, 'utf8')), doc, `wbxml2xml ${session}/${file}${stringTable ? '' : ' without string table'}`);
        }
        const xml = join(dir, 'in.xml');
        writeFileSync(xml, body);
        for (const args of [[], ['-n']]) {
          libwbxml('xml2wbxml', [...args, '-o', `${xml}.wbxml`, xml]);
          t.deepEqual(lf(decodeSyncml(readFileSync(`${xml}.wbxml`))), doc, `xml2wbxml ${args.join(' ')} ${session}/${file}`);
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}

test('SyncML 1.1 and 1.2 public identifiers, DevInf inside Data as its own WBXML document, item data as OPAQUE', (t) => {
  const v11 = messages('xml').find((m) => m.session === '14-syncml11-slow' && m.file === '001-req.xml')!;
  const doc11 = syncmlTree(v11.body.toString());
  t.is(doc11.vocabulary, SYNCML_11);
  t.deepEqual([...encodeSyncml(doc11, { stringTable: false }).subarray(0, 5)], [0x02, 0x9f, 0x53, 0x6a, 0x00], 'WBXML 1.2, public id 0x0FD3, UTF-8, no string table');
  const put = messages('wbxml').find((m) => m.file === '001-req.wbxml')!;
  t.deepEqual([...put.body.subarray(0, 5)], [0x02, 0xa4, 0x01, 0x6a, 0x00], 'public id 0x1201');
  const doc = decodeSyncml(put.body);
  const devinf = find(doc.root, 'DevInf')!;
  t.is(devinf.namespace, 'syncml:devinf');
  t.is((find(devinf, 'Man')!.children[0] as string), 'Patrick Ohly');
  t.is(find(find(doc.root, 'Put')!, 'Type')!.children[0], 'application/vnd.syncml-devinf+xml');
  const bytes = encodeSyncml(doc, { stringTable: false });
  const opaque = bytes.indexOf(Buffer.from([0xc3]), bytes.indexOf(Buffer.from('./devinf12')));
  t.deepEqual([...bytes.subarray(opaque + 3, opaque + 8)], [0x02, 0xa4, 0x03, 0x6a, 0x00], 'the DevInf inside is a WBXML DevInf 1.2 document (0x1203)');
  t.true(bytes.includes(Buffer.from('application/vnd.syncml-devinf+wbxml')));
  // A vCard travels as OPAQUE bytes, so no NUL or charset rule touches it.
  const add = messages('wbxml').find((m) => m.session === '17-wbxml-slow' && m.file === '002-req.wbxml')!;
  const at = add.body.indexOf(Buffer.from('BEGIN:VCARD'));
  t.is(add.body[at - 3], 0xc3);
  t.regex(find(find(decodeSyncml(add.body).root, 'Add')!, 'Data')!.children[0] as string, /^BEGIN:VCARD\r\nVERSION:3.0\r\n/);
  // A DevInf document on its own (as GET answers may carry it) is a document type of its own.
  const alone = syncmlTree(toSyncmlXml({ vocabulary: DEVINF_12, root: devinf }));
  t.is(alone.vocabulary, DEVINF_12);
  t.deepEqual(decodeSyncml(encodeSyncml(alone)), alone);
});

test('XML as other clients write it: DOCTYPE without xmlns, MetInf without its namespace, lower-case namespace', (t) => {
  const xml = `<?xml version="1.0"?>
<!DOCTYPE SyncML PUBLIC "-//SYNCML//DTD SyncML 1.1//EN" "http://www.syncml.org/docs/syncml_represent_v11_20020213.dtd">
<SyncML>
  <SyncHdr><VerDTD>1.1</VerDTD><VerProto>SyncML/1.1</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>
    <Target><LocURI>http://example.com/sync</LocURI></Target><Source><LocURI>IMEI:493005100592800</LocURI></Source>
    <Meta><MaxMsgSize>3300</MaxMsgSize></Meta></SyncHdr>
  <SyncBody><Alert><CmdID>1</CmdID><Data>200</Data><Item><Target><LocURI>./contacts</LocURI></Target><Source><LocURI>./C\\Contacts.cdb</LocURI></Source>
    <Meta><Anchor><Last>1</Last><Next>2</Next></Anchor></Meta></Item></Alert><Final/></SyncBody>
</SyncML>`;
  const doc = syncmlTree(xml);
  t.is(doc.vocabulary, SYNCML_11);
  t.is(find(doc.root, 'MaxMsgSize')!.namespace, 'syncml:metinf');
  t.is(find(doc.root, 'Next')!.namespace, 'syncml:metinf');
  t.is(find(doc.root, 'Alert')!.namespace, 'SYNCML:SYNCML1.1');
  t.deepEqual(decodeSyncml(encodeSyncml(doc)), doc);
  const lower = syncmlTree(`<SyncML xmlns="syncml:syncml1.2"><SyncHdr><VerDTD>1.2</VerDTD></SyncHdr><SyncBody><Final/></SyncBody></SyncML>`);
  t.is(lower.vocabulary, SYNCML_12);
  t.is(lower.root.namespace, 'SYNCML:SYNCML1.2');
});

test('what is not a SyncML message is refused with a clear error', (t) => {
  const bad: Array<[string, RegExp]> = [
    ['<wml><card/></wml>', /root element is <wml>/],
    ["<SyncML xmlns='SYNCML:SYNCML9.9'/>", /not SyncML 1.1 or 1.2/],
    ["<SyncML xmlns='SYNCML:SYNCML1.2'><SyncHdr><Bogus/></SyncHdr></SyncML>", /<Bogus> is not an element of SyncML 1.2/],
    ["<SyncML xmlns='SYNCML:SYNCML1.2'><SyncHdr id='1'/></SyncML>", /attribute "id"/],
    ["<SyncML xmlns='SYNCML:SYNCML1.2'><SyncHdr>text<VerDTD>1.2</VerDTD></SyncHdr></SyncML>", /mixes text and elements/],
    ["<DevInf xmlns='syncml:devinf'><VerDTD>3.0</VerDTD></DevInf>", /VerDTD "3.0"/],
    ["<SyncML xmlns='SYNCML:SYNCML1.2'><SyncHdr>", /not closed/],
  ];
  for (const [xml, message] of bad) t.throws(() => syncmlTree(xml), { message }, xml);
});

test('malformed WBXML: a WbxmlError naming the byte', (t) => {
  const good = messages('wbxml')[0].body;
  const cases: Array<[Uint8Array, RegExp]> = [
    [good.subarray(0, good.length - 1), /truncated/],
    [Buffer.from([0x02, 0x04, 0x6a, 0x00, 0x6d, 0x01]), /public identifier 0x04 is not one of SyncML 1.1, SyncML 1.2, DevInf 1.1, DevInf 1.2/],
    [Buffer.from([0x02, 0xa4, 0x01, 0x6a, 0x00, 0x3f]), /unknown tag 0x3F on code page 0/],
    [Buffer.from([0x02, 0xa4, 0x01, 0x6a, 0x00, 0x00, 0x05, 0x6d]), /code page 5 is not defined/],
    [Buffer.from([0x02, 0xa4, 0x01, 0x6a, 0x00, 0xed]), /attributes/],
    [Buffer.from([0x02, 0xa4, 0x01, 0x6a, 0x00, 0x6d, 0x4f, 0xc3, 0x10, 0x41, 0x01, 0x01]), /OPAQUE claims 16 bytes/],
    [Buffer.from([0x02, 0xa4, 0x01, 0x6a, 0x00, 0x6d, 0x4f, 0xc3, 0x02, 0x41, 0x07, 0x01, 0x01]), /OPAQUE data holds control characters/],
    [Buffer.from([0x02, 0xa4, 0x01, 0x6a, 0x00, 0x6d, 0x4f, 0xc3, 0x03, 0x02, 0x04, 0x6a, 0x01, 0x01]), /in the DevInf inside Data/],
    [Buffer.from([0x02, 0xa4, 0x01, 0x6a, 0x00, 0x6d, 0x4f, 0x03, 0x41, 0x01, 0x01]), /unterminated inline string/],
    [Buffer.from([0x02, 0xa4, 0x01, 0x6a, 0x00, 0x6d, 0x43]), /token 0x43 has no meaning/],
    [Buffer.from([0x02, 0xa4, 0x01, 0x6a, 0x00, 0x2d, 0x01]), /END without an open element/],
    [Buffer.from([0x02, 0xa4, 0x01, 0x11, 0x00, 0x2d]), /unsupported charset \(MIBenum 17\)/],
    [Buffer.from([0x07, 0xa4, 0x01, 0x6a, 0x00, 0x2d]), /unsupported WBXML version 0x07/],
  ];
  for (const [bytes, message] of cases) t.throws(() => decodeSyncml(bytes), { instanceOf: WbxmlError, message }, Buffer.from(bytes).toString('hex'));
  // 8-bit ISO-8859-1 item data (not UTF-8) is kept byte for byte rather than refused, and read as
  // ISO-8859-1 when the whole item is (a chunk may end inside a UTF-8 character: see item-bytes.test.ts).
  const latin1 = decodeSyncml(Buffer.from([0x02, 0xa4, 0x01, 0x6a, 0x00, 0x6d, 0x4f, 0xc3, 0x04, 0x4a, 0xfc, 0x72, 0x67, 0x01, 0x01]));
  t.deepEqual(latin1.root.children, [{ name: 'Data', namespace: 'SYNCML:SYNCML1.2', children: ['J\udcfcrg'] }]);
  t.is(itemText(encodeKeepingBytes('J\udcfcrg')), 'Jürg');
  // Nesting is bounded: 100 nested Item elements.
  const deep = Buffer.from([0x02, 0xa4, 0x01, 0x6a, 0x00, 0x6d, ...Array(100).fill(0x54), ...Array(101).fill(0x01)]);
  t.throws(() => decodeSyncml(deep), { instanceOf: WbxmlError, message: /nested deeper than 64/ });
});

test('any bytes: a document or a WbxmlError, nothing else; any change of a real message likewise', (t) => {
  const real = messages('wbxml').map((m) => m.body);
  fc.assert(
    fc.property(fc.oneof(fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.concat([Buffer.from([0x02, 0xa4, 0x01, 0x6a, 0x00]), b])), fc.tuple(fc.constantFrom(...real), fc.nat(), fc.integer({ min: 0, max: 255 })).map(([b, i, v]) => {
      const copy = Buffer.from(b);
      copy[i % copy.length] = v;
      return copy;
    })), (bytes) => {
      try {
        const doc = decodeSyncml(bytes);
        // Whatever decodes encodes back to something that decodes to the same.
        t.deepEqual(decodeSyncml(encodeSyncml(doc)), doc);
      } catch (e) {
        if (!(e instanceof WbxmlError)) throw e;
      }
    }),
    { numRuns: 500 },
  );
  t.pass();
});

/** Random SyncML trees over the 1.2 vocabulary, with text of any characters XML allows. */
const names = SYNCML_12.pages.flatMap((p) => p.tags.map(([, name]) => ({ name, namespace: p.namespace }))).filter((x) => vocabularyIndex(SYNCML_12).token(x.namespace, x.name));
const text = fc.string({ unit: 'binary', maxLength: 30 }).map((s) => s.replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, ''));
const element: fc.Memo<TagElement> = fc.memo((n) =>
  fc.record({
    tag: fc.constantFrom(...names),
    children: n <= 1 ? fc.oneof(fc.constant([]), text.filter((s) => s !== '').map((s) => [s])) : fc.oneof(text.filter((s) => s !== '').map((s) => [s]), fc.array(element(n - 1), { maxLength: 4 })),
  }).map(({ tag, children }): TagElement => ({ name: tag.name, namespace: tag.namespace, children: [...children] })),
);

test('any SyncML tree, with or without string table: decode(encode(tree)) = tree', (t) => {
  fc.assert(
    fc.property(element(4), fc.boolean(), (root, stringTable) => {
      const doc: SyncmlDocument = { vocabulary: SYNCML_12, root: { name: 'SyncML', namespace: 'SYNCML:SYNCML1.2', children: [root] } };
      t.deepEqual(decodeSyncml(encodeSyncml(doc, { stringTable })), doc);
    }),
    { numRuns: 300 },
  );
  t.pass();
});
