// The sync screens from every device class: the phone's settings, the conflict policy, a remote
// portal set up, synced and reported, and (HTML) the downloadable SyncEvolution configuration.
import test from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Handset, withGateway } from '../support/client.ts';
import { closeTestPortals } from '../support/system.ts';
import { labDir, removeLabDirs, curlShim, vcard } from '../support/syncevolution.ts';
import { actorOf, addRecord, namesOf, openContacts } from '../support/contacts.ts';
import { conflictPolicy, hasMd5Secret } from '../../core/sync/accounts.ts';
import type { Markup } from '../../gateway/device.ts';

const run = promisify(execFile);

test.after.always(async () => {
  removeLabDirs();
  await closeTestPortals();
});

for (const markup of ['wml', 'chtml', 'html'] as Markup[]) {
  test(`${markup}: a user sets the conflict policy, adds another portal, syncs with it and reads what it did`, async (t) => {
    t.timeout(120_000);
    await withGateway(async (gw) => {
      // The other portal is this same server, as alice: demo's Contacts sync with hers.
      await openContacts(gw.portal, 'alice');
      await addRecord(gw.portal, 'alice', { Name: 'Ann Alice', 'Given name': 'Ann', 'Family name': 'Alice' });
      const phone = new Handset(t, gw.base, markup);
      const home = await phone.login();
      const sync = await phone.get(home.link('Sync'));
      t.regex(sync.words, new RegExp(`${gw.base}/sync`.replace(/[./]/g, '\\$&')), 'the address phones sync with');

      const saved = await phone.post(sync.action, { policy: 'ours' });
      t.regex(saved.words, /Conflict policy saved/);
      t.is(await conflictPolicy(gw.portal, await actorOf(gw.portal, 'demo')), 'ours');
      const refused = await phone.post(sync.action, { policy: 'coin-toss' });
      t.is(refused.status, 400);

      // MD5 sign-in for phones: the password typed once on this screen.
      t.false(await hasMd5Secret(gw.portal, 'demo'));
      const md5Action = markup === 'wml' ? /<go href="([^"]*md5)"/.exec(sync.text)![1] : /action="([^"]*md5)"/.exec(sync.text)![1];
      const wrong = await phone.post(md5Action, { password: 'wrong' });
      t.is(wrong.status, 403);
      t.regex(wrong.words, /Wrong password/);
      t.regex((await phone.post(md5Action, { password: 'demo' })).words, /MD5/);
      t.true(await hasMd5Secret(gw.portal, 'demo'));

      const form = await phone.get(sync.link(/Add( a)? portal/));
      const bad = await phone.post(form.action, { name: 'Alice', url: 'ftp://x', login: 'alice', password: 'typed-once', database: 'contacts', remote: '', mode: 'two-way' });
      t.is(bad.status, 400);
      t.regex(bad.words, /starting with http/);
      t.false(bad.text.includes('typed-once'), 'the typed password is not filled in again');
      const page = await phone.post(form.action, { name: 'Alice', url: `${gw.base}/sync`, login: 'alice', password: 'alice', database: 'contacts', remote: 'addressbook', mode: 'two-way' });
      t.regex(page.words, /Not synced yet/);
      const done = await phone.post(page.action, {});
      t.regex(done.words, /slow: sent 0 new, 0 changed, 0 deleted; got 1 new/);
      t.deepEqual(await namesOf(gw.portal, 'demo'), ['Ann Alice']);
    });
  });
}

test('html: the downloaded SyncEvolution configuration syncs a desktop address book in one command', async (t) => {
  t.timeout(120_000);
  await withGateway(async (gw) => {
    await openContacts(gw.portal, 'demo');
    await addRecord(gw.portal, 'demo', { Name: 'Sam Server', 'Given name': 'Sam', 'Family name': 'Server' });
    const browser = new Handset(t, gw.base, 'html');
    const sync = await browser.get((await browser.login()).link('Sync'));
    const response = await fetch(new URL(sync.link(/Plain vCard/), gw.base));
    t.is(response.headers.get('content-disposition'), 'attachment; filename="syncevolution-files.sh"');
    const script = await response.text();
    t.notRegex(script, /demo:demo|password=demo/, 'no password in the download');

    const home = labDir('pim-home');
    const data = join(home, 'lowband');
    const env = { ...process.env, HOME: home, XDG_CONFIG_HOME: join(home, '.config'), XDG_CACHE_HOME: join(home, '.cache'), XDG_DATA_HOME: join(home, '.local'), LOWBAND_PASSWORD: 'demo', LOWBAND_DATA: data, DBUS_SESSION_BUS_ADDRESS: '' };
    writeFileSync(join(home, 'setup.sh'), script);
    await run('sh', [join(home, 'setup.sh')], { env, timeout: 60_000 });
    writeFileSync(join(data, 'contacts', 'carla.vcf'), vcard('Carla', 'Desktop').replace(/\n/g, '\r\n'));
    // Debian's SyncEvolution needs its libcurl callbacks shim (see ../shared/interop/syncml/NOTES.md).
    await run('syncevolution', ['--daemon=no', '--sync', 'slow', 'lowband'], { env: { ...env, LD_PRELOAD: await curlShim() }, timeout: 60_000 });
    t.deepEqual(await namesOf(gw.portal, 'demo'), ['Carla Desktop', 'Sam Server']);
    const files = readdirSync(join(data, 'contacts')).map((f) => readFileSync(join(data, 'contacts', f), 'utf8'));
    t.true(files.some((f) => f.includes('FN:Sam Server')));
  });
});
