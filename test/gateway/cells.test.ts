// Many cells at the gateway (issue 8): a cell out of reach shows its own users a "service
// unavailable" page in their device's markup while everyone else goes on; a database that moved
// is shown from its new address; two gateway processes behind a load balancer serve one session.
import test from 'ava';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { Handset, withGateway } from '../support/client.ts';
import { closeTestPortal, closeTestPortals, freshBase, openSystem, openTestPortal } from '../support/system.ts';
import { outageableStore } from '../support/outage.ts';
import { startBalancer } from '../support/balancer.ts';
import { gatewayProcess } from '../support/gateway-process.ts';
import { createApp } from '../../gateway/app.ts';
import { seedDemo } from '../../core/demo.ts';
import { moveOwner } from '../../core/dispatch/move.ts';
import type { Markup } from '../../gateway/device.ts';

test.after.always(closeTestPortals);

const MARKUPS: Markup[] = ['wml', 'chtml', 'html'];

test('a cell out of reach: its users get a 503 page in their own markup, the others go on, and it comes back', async (t) => {
  const outage = await outageableStore('gw-down');
  const { portal, users: [ann] } = await openSystem({ c1: undefined, c2: outage.url }, ['ann', 'bob']);
  await portal.createDatabase(ann, 'Recipes');
  const logged: unknown[] = [];
  const server: Server = await new Promise((resolve) => {
    const s = createApp(portal, { log: (err) => logged.push(err) }).listen(0, '127.0.0.1', () => resolve(s));
  });
  server.keepAliveTimeout = 60_000;
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const bobsHome = (await new Handset(t, base, 'html').login('bob', 'bob-pass')).url;
    await outage.stop(portal, 'c2');
    for (const markup of MARKUPS) {
      const bob = new Handset(t, base, markup);
      const refused = await bob.login('bob', 'bob-pass');
      t.is(refused.status, 503, `${markup}: bob's cell is out of reach`);
      t.regex(refused.words, /unavailable for a moment/);
      const ann = new Handset(t, base, markup);
      const home = await ann.login('ann', 'ann-pass');
      t.is(home.status, 200, `${markup}: ann's cell serves`);
      t.regex(home.words, /Recipes/);
    }
    const inSession = await new Handset(t, base, 'html').get(bobsHome);
    t.is(inSession.status, 503, 'a session in flight gets the same page');
    t.regex(inSession.words, /Try again in a few minutes/);
    t.true(logged.length > 0, 'the operator hears of it');

    await outage.start();
    const back = await new Handset(t, base, 'wml').login('bob', 'bob-pass');
    t.is(back.status, 200);
    t.is((await new Handset(t, base, 'html').get(bobsHome)).status, 200);
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await closeTestPortal(portal);
    await outage.close();
  }
});

for (const markup of MARKUPS) {
  test(`${markup}: a database that moved is shown from its new address; a form sent from the old page is saved there once`, (t) =>
    withGateway(async (gw) => {
      await gw.portal.addCell('c3', 100);
      const phone = new Handset(t, gw.base, markup);
      const home = await phone.login();
      const cellar = await phone.get(home.link(/Wine cellar/));
      t.regex(cellar.url, /\/d\/c1\/\d+/);
      const form = await phone.get(cellar.link(/^(\[\d\] )?(Add|New)/i));
      const names = [...new Set([...form.text.matchAll(/name="(f\d+)"/g)].map((m) => m[1]))];

      await moveOwner(gw.portal, 'demo', 'c3');

      const saved = await phone.post(form.action, { [names[0]]: 'Moved-2031', [names[1]]: 'Chateau Mouvant' });
      t.is(saved.status, 200);
      t.regex(saved.url, /\/d\/c3\/\d+/, 'the old address led to the new one');
      const again = await phone.get(cellar.url);
      t.regex(again.url, /\/d\/c3\/\d+/);
      t.regex(again.words, /Margaux/);
      const owner = { login: 'demo', cellId: 'c3' };
      const moved = (await gw.portal.databases(owner)).find((d) => d.name === 'Wine cellar')!;
      const { items } = await gw.portal.records(owner, moved, 0, 100);
      t.is(items.filter((r) => Object.values(r.values).includes('Chateau Mouvant')).length, 1);
      t.is(items.length, 7);
    }));
}

test('two gateway processes behind a round-robin balancer serve one session alternately; one killed, the other carries on', async (t) => {
  const base = freshBase();
  const portal = await openTestPortal({}, base);
  await seedDemo(portal);
  await closeTestPortal(portal);
  const gateways = [await gatewayProcess(base), await gatewayProcess(base)];
  const balancer = await startBalancer(gateways.map((g) => g.base));
  try {
    const phone = new Handset(t, balancer.base, 'html');
    const landing = await phone.login();
    t.is(landing.status, 200);
    // Login may land on the alarms that fired (each process runs the alarm watchdog): home is the session's root.
    const home = await phone.get(landing.url.replace(/(\/s\/[^/]+\/).*$/, '$1'));
    const cellar = await phone.get(home.link(/Wine cellar/));
    const record = await phone.get(cellar.link(/Margaux/));
    t.regex(record.words, /1998/);
    const form = await phone.get(cellar.link(/^(\[\d\] )?(Add|New)/i));
    const names = [...new Set([...form.text.matchAll(/name="(f\d+)"/g)].map((m) => m[1]))];
    const created = await phone.post(form.action, { [names[0]]: 'B-100', [names[1]]: 'Before the crash' });
    t.regex(created.words, /Before the crash/);
    t.true(balancer.served.includes(0) && balancer.served.includes(1), `both processes served: ${balancer.served}`);
    for (let i = 1; i < balancer.served.length; i++) t.not(balancer.served[i], balancer.served[i - 1], 'each request went to the other process');

    gateways[0].child.kill('SIGKILL');
    await new Promise((resolve) => gateways[0].child.once('exit', resolve));
    const before = balancer.served.length;
    const after = await phone.post(form.action, { [names[0]]: 'B-101', [names[1]]: 'After the crash' });
    t.regex(after.words, /After the crash/);
    const list = await phone.get(cellar.url);
    t.regex(list.words, /Before the crash/);
    t.regex(list.words, /After the crash/);
    const search = await phone.get(`${cellar.url.replace(/\?.*$/, '')}/find?f=${names[1].slice(1)}&op=contains&q=crash`);
    t.is(search.status, 200);
    t.regex(search.words, /After the crash/);
    t.deepEqual([...new Set(balancer.served.slice(before))], [1], 'the survivor served the rest of the session');
  } finally {
    await balancer.close();
    for (const g of gateways) g.child.kill('SIGTERM');
  }
});
