// Sharing, the locker and the session layer from every device class, through real HTTP.
import test from 'ava';
import { Handset, withGateway } from '../support/client.ts';
import { closeTestPortals } from '../support/system.ts';
import type { Markup } from '../../gateway/device.ts';

test.after.always(closeTestPortals);

for (const markup of ['wml', 'chtml', 'html'] as Markup[]) {
  test(`${markup}: share a database with a user of another cell, change the right, see who has it, stop`, (t) =>
    withGateway(async (gw) => {
      const demo = new Handset(t, gw.base, markup);
      const home = await demo.login();
      const cellar = await demo.get(home.link(/Wine cellar/));
      let share = await demo.get(cellar.link(/^Share/));
      t.regex(share.words, /Not shared yet/);
      const unknown = await demo.post(share.action, { login: 'nobody', right: 'read' });
      t.is(unknown.status, 404);
      t.regex(unknown.words, /not known/);
      share = await demo.post(share.action, { login: 'alice', right: 'read' });
      t.regex(share.words, /Shared with alice, read/);
      t.regex(share.words, /alice.*read/);

      const alice = new Handset(t, gw.base, markup);
      const aliceHome = await alice.login('alice', 'alice');
      t.regex(aliceHome.words, /Wine cellar.*demo.*read/, 'alice sees it with its owner and her right');
      const seen = await alice.get(aliceHome.link(/Wine cellar/));
      t.regex(seen.words, /Margaux/);
      t.false(seen.links.some((l) => /^(\[\d\] )?Add$/.test(l.text)), 'read only: no Add');

      share = await demo.post(share.action, { login: 'alice', right: 'write' });
      t.regex(share.words, /read\/write/);
      t.true((await alice.get(aliceHome.link(/Wine cellar/))).links.some((l) => /Add/.test(l.text)), 'the new right holds at once');

      const confirm = await demo.get(share.link(/Stop sharing/));
      const after = await demo.post(confirm.action, {});
      t.regex(after.words, /Not shared yet/);
      const gone = await alice.get(aliceHome.link(/Wine cellar/));
      t.is(gone.status, 403, 'a revoked right takes effect on the next request');
      t.notRegex((await alice.get(aliceHome.url)).words, /Wine cellar/);
    }));

  test(`${markup}: the locker asks for its password, opens with a new token, and refuses sharing`, (t) =>
    withGateway(async (gw) => {
      const demo = new Handset(t, gw.base, markup);
      const home = await demo.login();
      let locker = await demo.get(home.link(/Locker/));
      locker = await demo.post(locker.action, { password: 'pw' });
      t.is(locker.status, 400, 'too short');
      locker = await demo.post(locker.action, { password: 'open-sesame' });
      t.regex(locker.words, /saved/);
      const confirm = await demo.get(locker.link(/Put in locker/));
      locker = await demo.post(confirm.action, {});
      t.regex(locker.words, /Wine cellar.*(locked|Take out)/);

      const asked = await demo.get(home.link(/Wine cellar/));
      t.is(asked.status, 403);
      t.regex(asked.words, /locker/);
      const wrong = await demo.post(asked.action, { password: 'nope' });
      t.is(wrong.status, 403);
      t.regex(wrong.words, /Wrong locker password/);
      const opened = await demo.post(wrong.action, { password: 'open-sesame' });
      t.is(opened.status, 200);
      t.regex(opened.words, /Margaux/);
      const newToken = opened.url.split('/')[4];
      t.not(newToken, home.url.split('/')[4], 'a new token after the unlock');
      t.is((await demo.get(home.url)).status, 403, 'the old token no longer works');
      t.false(opened.links.some((l) => /^Share/.test(l.text)), 'no Share link on a locked database');
      const refused = await demo.post(`/s/${newToken}/d/c1/1/share`, { login: 'alice', right: 'read' });
      t.is(refused.status, 409);
      t.regex(refused.words, /locker/);
    }));
}

test('HTML forms without the anti-forgery field are refused, and no page leaks a Referer', (t) =>
  withGateway(async (gw) => {
    const browser = new Handset(t, gw.base, 'html');
    const home = await browser.login();
    t.is(home.headers.get('referrer-policy'), 'no-referrer');
    const form = await browser.get(home.link(/New database/));
    t.regex(form.text, /name="_csrf"/);
    const forged = await browser.post(form.action, { name: 'Forged', _csrf: 'x'.repeat(22) });
    t.is(forged.status, 403);
    t.regex(forged.words, /form has expired/);
    const missing = await browser.post(form.action, { name: 'Forged', _csrf: '' });
    t.is(missing.status, 403);
    t.notRegex((await browser.get(home.url)).words, /Forged/, 'nothing was created');
    const real = await browser.post(form.action, { name: 'Real' });
    t.is(real.status, 200);
  }));

test('repeated wrong passwords get a clear wait page in the device markup', (t) =>
  withGateway(async (gw) => {
    const phone = new Handset(t, gw.base, 'wml');
    const form = await phone.get('/');
    const password = await phone.post(form.action, { login: 'demo' });
    let last = password;
    for (let i = 0; i < 5; i++) last = await phone.post(password.action, { login: 'demo', password: 'wrong' });
    t.is(last.status, 429);
    t.regex(last.words, /Too many failed attempts\. Try again in \d+ s/);
  }));
