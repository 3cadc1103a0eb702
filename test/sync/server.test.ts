// The SyncML server with recorded real messages, and with malformed or unexpected ones: each gets
// the right SyncML status (or HTTP status, when there is no SyncML to answer in), and stored data
// stays as it was.
import test from 'ava';
import { withGateway, type Running } from '../support/client.ts';
import { closeTestPortals } from '../support/system.ts';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, adapt, fixture, post } from '../support/syncml.ts';
import { namesOf, openContacts, addRecord, recordsOf } from '../support/contacts.ts';
import { textAt } from '../../transcode/syncml/tree.ts';
import { encodeSyncml } from '../../transcode/wbxml/syncml.ts';
import { MAX_TEXT } from '../../core/cell/fields.ts';
import { CONTACTS } from '../../core/sync/datastores.ts';

test.after.always(closeTestPortals);

/** Message 1 of the recorded slow sync, then message 2 (the client's Adds), as our server answers them. */
async function slowSync(gw: Running, edit: (msg2: string) => string = (m) => m) {
  const url = `${gw.base}/sync`;
  const first = await post(url, adapt(fixture('02-slow-first-sync', '001-req.xml'), url, 'demo', 'demo'));
  const second = await post(first.respUri!, edit(adapt(fixture('02-slow-first-sync', '002-req.xml'), first.respUri!, 'demo', 'demo')));
  return { first, second };
}

test('a recorded slow sync replayed: authenticated, alerted, adds stored, the server sends its contacts and takes the Map', async (t) => {
  await withGateway(async (gw) => {
    await openContacts(gw.portal, 'demo');
    await addRecord(gw.portal, 'demo', { Name: 'Sam Server', 'Given name': 'Sam', 'Family name': 'Server' });
    const { first, second } = await slowSync(gw);
    t.deepEqual(first.statuses, ['SyncHdr:212', 'Put:200', 'Get:200', 'Alert:200']);
    t.deepEqual(first.commands.map((c) => c.name), ['Results', 'Alert']);
    t.true(first.final);
    t.deepEqual(second.statuses, ['SyncHdr:200', 'Sync:200', 'Add:201', 'Add:201']);
    t.deepEqual(await namesOf(gw.portal, 'demo'), ['Carla Client', 'Dana Duplicate', 'Sam Server']);
    const sync = second.commands.find((c) => c.name === 'Sync')!;
    t.is(textAt(sync, 'NumberOfChanges'), '1');
    t.is(textAt(sync, 'Add/Item/Data').includes('FN:Sam Server'), true);
  });
});

test('what is not SyncML gets an HTTP error and changes nothing', async (t) => {
  await withGateway(async (gw) => {
    const url = `${gw.base}/sync`;
    t.is((await fetch(url)).status, 405);
    t.is((await post(url, 'hello', 'text/plain')).http, 415);
    t.is((await post(url, 'not xml at all')).http, 400);
    const recorded = adapt(fixture('02-slow-first-sync', '001-req.xml'), url, 'demo', 'demo');
    t.is((await post(url, recorded.slice(0, recorded.length / 2))).http, 400, 'a message cut in half');
    t.is((await post(url, '<?xml version="1.0"?><Html/>')).http, 400);
    t.is((await post(url, "<SyncML xmlns='SYNCML:SYNCML1.2'><SyncBody/></SyncML>")).http, 400, 'no header');
  });
});

test('a header SyncML cannot take gets its status: version 505, no session 400, no or wrong credentials 407/401', async (t) => {
  await withGateway(async (gw) => {
    const url = `${gw.base}/sync`;
    const recorded = adapt(fixture('02-slow-first-sync', '001-req.xml'), url, 'demo', 'demo');
    const v2 = recorded.replace('<VerDTD>1.2</VerDTD>', '<VerDTD>2.0</VerDTD>').replace("SYNCML:SYNCML1.2", 'SYNCML:SYNCML2.0');
    t.is((await post(url, v2)).statuses[0], 'SyncHdr:505');
    t.is((await post(url, recorded.replace(/<SessionID>\d+<\/SessionID>/, ''))).statuses[0], 'SyncHdr:400');
    const noCred = await post(url, recorded.replace(/<Cred>.*?<\/Cred>/s, ''));
    t.is(noCred.statuses[0], 'SyncHdr:407');
    t.true(noCred.statuses.slice(1).every((s) => s.endsWith(':407')), 'every command is refused');
    t.regex(noCred.text, /<Chal>.*syncml:auth-basic/);
    const wrong = await post(url, adapt(fixture('02-slow-first-sync', '001-req.xml'), url, 'demo', 'WRONG'));
    t.is(wrong.statuses[0], 'SyncHdr:401');
    t.is(wrong.respUri, undefined, 'no session for a wrong password');
    // The recorded MD5 credentials (alice's, for another server's nonce) are not good here either.
    const md5 = fixture('02-slow-first-sync', '001-req.xml').replace(/<LocName>alice/, '<LocName>demo');
    t.is((await post(url, md5)).statuses[0], 'SyncHdr:401');
  });
});

test('unexpected commands get their status and store nothing: unknown datastore, Sync without Alert, bad items, unknown commands', async (t) => {
  await withGateway(async (gw) => {
    await openContacts(gw.portal, 'demo');
    const url = `${gw.base}/sync`;
    const recorded = adapt(fixture('02-slow-first-sync', '001-req.xml'), url, 'demo', 'demo');
    const unknownStore = await post(url, recorded.replace('<Target><LocURI>addressbook</LocURI>', '<Target><LocURI>wine-cellar</LocURI>'));
    t.true(unknownStore.statuses.includes('Alert:404'));
    t.false(unknownStore.commands.some((c) => c.name === 'Alert'));

    // A Sync in a session that alerted nothing (a new session: the first message's Alert removed).
    const noAlert = recorded.replace(/<Alert>.*<\/Alert>/s, '').replace('<Final/>', fixture('02-slow-first-sync', '002-req.xml').match(/<Sync>.*<\/Sync>/s)![0] + '<Final/>');
    const orphan = await post(url, noAlert);
    t.true(orphan.statuses.includes('Sync:404'));
    t.deepEqual(await namesOf(gw.portal, 'demo'), []);

    // In a real session: one good item, one that is not a vCard, one with no Data, an unknown command.
    const { second } = await slowSync(gw, (msg) =>
      msg
        .replace(/(<Add><CmdID>6<\/CmdID>.*?<Data>)<!\[CDATA\[.*?\]\]>/s, '$1<![CDATA[BEGIN:VCALENDAR\nEND:VCALENDAR\n]]>')
        .replace('</Sync>', `<Add><CmdID>89</CmdID><Meta><Type xmlns='syncml:metinf'>text/vcard</Type></Meta><Item><Source><LocURI>long.vcf</LocURI></Source><Data>BEGIN:VCARD\nVERSION:3.0\nN:Long;Lou;;;\nFN:Lou Long\nNOTE:${'x'.repeat(MAX_TEXT + 1)}\nEND:VCARD\n</Data></Item></Add>` + "<Add><CmdID>90</CmdID><Item><Source><LocURI>x.vcf</LocURI></Source></Item></Add><Copy><CmdID>91</CmdID></Copy></Sync><Exec><CmdID>92</CmdID></Exec>"),
    );
    // The good item is stored; the one that is not a vCard is refused (415), one whose note is
    // longer than a text field holds is too large (413), one without data is a bad request (400),
    // commands we do not support get 406.
    t.deepEqual(second.statuses, ['SyncHdr:200', 'Sync:200', 'Add:201', 'Add:415', 'Add:413', 'Add:400', 'Copy:406', 'Exec:406']);
    t.deepEqual(await namesOf(gw.portal, 'demo'), ['Carla Client']);
  });
});

test('a recorded WBXML message gets a WBXML answer', async (t) => {
  await withGateway(async (gw) => {
    const url = `${gw.base}/sync`;
    const message = encodeSyncml(adapt(fixture('17-wbxml-slow', '001-req.wbxml'), url, 'demo', 'demo'));
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/vnd.syncml+wbxml' }, body: new Uint8Array(message) });
    t.is(response.headers.get('content-type'), 'application/vnd.syncml+wbxml');
    const answer = await post(url, new Uint8Array(encodeSyncml(adapt(fixture('17-wbxml-slow', '001-req.wbxml'), url, 'demo', 'demo'))), 'application/vnd.syncml+wbxml');
    t.deepEqual(answer.statuses, ['SyncHdr:212', 'Put:200', 'Get:200', 'Alert:200']);
    const cutShort = await post(url, new Uint8Array([2, 0xa4, 1, 0x6a, 0, 0x6d, 0x6c]), 'application/vnd.syncml+wbxml');
    t.is(cutShort.http, 400, 'WBXML cut short');
  });
});

const LARGE = '22-slow-maxmsgsize4000-multimessage-largeobject';

/** The recorded session with a 40 KB contact sent in chunks, replayed message by message; `edit` changes a message (or its bytes) before it goes. */
async function largeObjectSync(gw: Running, edit: (file: string, message: string) => string | Uint8Array<ArrayBuffer> = (_, m) => m) {
  let url = `${gw.base}/sync`;
  const statuses: string[] = [];
  for (const file of ['001-req.xml', '002-req.xml', '003-req.xml', '004-req.xml', '005-req.xml']) {
    const answer = await post(url, edit(file, adapt(fixture(LARGE, file), url, 'demo', 'demo')));
    statuses.push(...answer.statuses.filter((s) => s.startsWith('Add:')));
    url = answer.respUri ?? url;
  }
  return statuses;
}

const bigCard = () => readFileSync(join(FIXTURES, LARGE, 'before-client', 'big.vcf'), 'utf8');

test('the recorded 40 KB contact arrives in chunks and is stored whole beside the 30 others of its messages; given back, its note is the same', async (t) => {
  await withGateway(async (gw) => {
    const contacts = await openContacts(gw.portal, 'demo');
    const statuses = await largeObjectSync(gw);
    t.deepEqual(statuses, ['Add:213', 'Add:213', ...Array(31).fill('Add:201')], 'chunks taken (213), then the whole contact and the 30 others added');
    const note = CONTACTS.decode(bigCard(), 'text/vcard').values.Note;
    t.true(note.length >= 40_000, `a ${note.length}-character note`);
    const stored = (await recordsOf(gw.portal, 'demo')).find((r) => r.values.Name === 'Bigge Note')!;
    t.is(stored.values.Note, note, 'the whole note, unchanged');
    t.is((await namesOf(gw.portal, 'demo')).length, 31);
    const [item] = (await contacts.items([stored.id])).values();
    t.is(CONTACTS.decode(CONTACTS.encode(item, 'text/vcard'), 'text/vcard').values.Note, note, 'given back identical');
  });
});

test('a chunked contact whose note is longer than a text field holds is refused as too large (413), alone: the others are stored, nothing else changes', async (t) => {
  await withGateway(async (gw) => {
    await openContacts(gw.portal, 'demo');
    await addRecord(gw.portal, 'demo', { Name: 'Bigge Note', 'Given name': 'Bigge', 'Family name': 'Note', Note: 'the note as it was' });
    const extra = 'x'.repeat(MAX_TEXT);
    const statuses = await largeObjectSync(gw, (file, message) =>
      file === '002-req.xml'
        ? message.replace(/<Size xmlns='syncml:metinf'>(\d+)<\/Size>/, (_, n) => `<Size xmlns='syncml:metinf'>${Number(n) + extra.length}</Size>`)
        : file === '003-req.xml'
          ? message.replace('<Data><![CDATA[', `<Data><![CDATA[${extra}`)
          : message,
    );
    t.deepEqual(statuses, ['Add:213', 'Add:213', 'Add:413', ...Array(30).fill('Add:201')]);
    const records = await recordsOf(gw.portal, 'demo');
    t.is(records.length, 31, 'the 30 others stored, the refused one not');
    t.deepEqual(records.find((r) => r.values.Name === 'Bigge Note')!.values, { Name: 'Bigge Note', 'Given name': 'Bigge', 'Family name': 'Note', Note: 'the note as it was' });
  });
});

test('a chunk cut inside a UTF-8 character is joined to the next one byte for byte', async (t) => {
  await withGateway(async (gw) => {
    await openContacts(gw.portal, 'demo');
    // "é" is C3 A9: the first chunk ends with C3, the second starts with A9, as the Synthesis engine cuts.
    const cutAt = (message: string, bytes: number[], where: 'end' | 'start') => {
      const [before, after] = message.split(where === 'end' ? ']]></Data><MoreData/>' : "<Data><![CDATA[");
      const mark = where === 'end' ? ']]></Data><MoreData/>' : '<Data><![CDATA[';
      const edge = where === 'end' ? [Buffer.from(before), Buffer.from(bytes), Buffer.from(mark + after)] : [Buffer.from(before + mark), Buffer.from(bytes), Buffer.from(after)];
      return new Uint8Array(Buffer.concat(edge));
    };
    const statuses = await largeObjectSync(gw, (file, message) =>
      file === '002-req.xml'
        ? cutAt(message.replace(/<Size xmlns='syncml:metinf'>(\d+)<\/Size>/, (_, n) => `<Size xmlns='syncml:metinf'>${Number(n) + 2}</Size>`), [0xc3], 'end')
        : file === '003-req.xml'
          ? cutAt(message, [0xa9], 'start')
          : message,
    );
    t.deepEqual(statuses.slice(0, 3), ['Add:213', 'Add:213', 'Add:201']);
    const note = CONTACTS.decode(bigCard(), 'text/vcard').values.Note;
    const first = /<!\[CDATA\[([^]*?)\]\]>/.exec(fixture(LARGE, '002-req.xml'))![1];
    const split = first.length - first.indexOf('NOTE:') - 'NOTE:'.length;
    const stored = (await recordsOf(gw.portal, 'demo')).find((r) => r.values.Name === 'Bigge Note')!;
    t.is(stored.values.Note, `${note.slice(0, split)}é${note.slice(split)}`);
  });
});

test('a refresh from the phone deletes what the phone does not hold, unless the server refused one of its items: that one may stand for any of ours', async (t) => {
  /** The recorded refresh from the client (its 7 contacts), `edit` changing its Sync message; the names stored after it. */
  const refresh = async (edit: (sync: string) => string) => {
    let result: { adds: string[]; names: string[] } | undefined;
    await withGateway(async (gw) => {
      await openContacts(gw.portal, 'demo');
      await addRecord(gw.portal, 'demo', { Name: 'Ollie Ours', 'Given name': 'Ollie', 'Family name': 'Ours' });
      let url = `${gw.base}/sync`;
      const adds: string[] = [];
      for (const file of ['001-req.xml', '002-req.xml', '003-req.xml']) {
        const message = adapt(fixture('09-refresh-from-client', file), url, 'demo', 'demo');
        const answer = await post(url, file === '002-req.xml' ? edit(message) : message);
        adds.push(...answer.statuses.filter((s) => s.startsWith('Add:')));
        url = answer.respUri ?? url;
      }
      result = { adds, names: await namesOf(gw.portal, 'demo') };
    });
    return result!;
  };
  const whole = await refresh((m) => m);
  t.deepEqual(whole.adds, Array(7).fill('Add:201'));
  t.false(whole.names.includes('Ollie Ours'), 'the server became a copy of the phone');
  // One item in a type the Contacts do not take (415), one with no data (400): refused before any record is read.
  const refused = await refresh((m) => {
    const [head, ...adds] = m.split('<Add>');
    adds[0] = adds[0].replace('text/vcard', 'text/x-unknown');
    adds[adds.length - 1] = adds[adds.length - 1].replace(/<Data>.*?<\/Data>/s, '');
    return [head, ...adds].join('<Add>');
  });
  t.deepEqual(refused.adds, ['Add:415', ...Array(5).fill('Add:201'), 'Add:400']);
  t.true(refused.names.includes('Ollie Ours'), 'ours stays: the refused items may have stood for it');
  t.is(refused.names.length, 6);
});
