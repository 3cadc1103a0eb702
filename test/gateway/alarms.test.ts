// Alarms and the planner from every device class, through real HTTP to the gateway; every page
// is checked by the handset (budget, charset, and for WML the DTD).
import test from 'ava';
import { Handset, HEADERS, withGateway, type Running } from '../support/client.ts';
import { closeTestPortals } from '../support/system.ts';
import { Watchdog } from '../../core/alarms/watchdog.ts';
import type { Markup } from '../../gateway/device.ts';

test.after.always(closeTestPortals);

const MARKUPS: Markup[] = ['wml', 'chtml', 'html'];
const DEC_1 = Date.parse('2026-12-01T00:00:00Z');

/** Fires what is due on the demo's cell at `now`. */
async function tick(gw: Running, now = DEC_1) {
  return new Watchdog((await gw.portal.cell('c1')).store, {}, { now: () => now }).tick();
}

const demoActor = async (gw: Running) => ({ login: 'demo', cellId: await gw.portal.locate('demo') });

for (const markup of MARKUPS) {
  test(`${markup}: alarms that fired are shown at the next login, marked, then listed as seen`, (t) =>
    withGateway(async (gw) => {
      t.is((await tick(gw)).fired, 3, 'the demo cellar has three wines ready by December 2026');
      const phone = new Handset(t, gw.base, markup);
      const first = await phone.login();
      t.regex(first.url, /\/alarms$/, 'login leads to the alarms not yet seen');
      t.regex(first.words, /Wine cellar: B-005 P.trus, Drink from 2020-01-01/);
      t.regex(first.words, /Ch.teau Margaux, Drink from 2026-01-01/);
      t.regex(first.words, /2026-12-01 00:00/);
      if (markup === 'chtml') t.true(first.bytes.includes(Buffer.from([0xf9, 0xb8])), "DoCoMo's bell, as Shift_JIS F9B8");
      else t.regex(first.words, /\[alarm\]/);
      t.regex(first.text, markup === 'html' ? /<strong>/ : /\*/, 'new ones are marked');
      const record = await phone.get(first.link(/Margaux/));
      t.regex(record.words, /Vineyard/);
      const again = await new Handset(t, gw.base, markup).login();
      t.regex(again.url, /\/s\/[^/]+\/$/, 'seen: the next login goes home');
      const home = again;
      const list = await phone.get(home.link(/Alarms/));
      t.regex(list.words, /P.trus/, 'still listed');
      t.notRegex(list.text, markup === 'html' ? /<strong>/ : /\*/, 'no longer new');
      const set = await phone.get(list.link(/set/i));
      t.regex(set.words, /B-002 Ch.teau Latour, Drink from 2030-06-01 at 2030-06-01 00:00/);
      t.regex(set.words, /B-005 P.trus, Drink from 2020-01-01 went off/);
      t.regex(set.words, /login/);
    }));

  test(`${markup}: the alarms screen pages a long history within the budget`, (t) =>
    withGateway(async (gw) => {
      const demo = await demoActor(gw);
      const ref = await gw.portal.createDatabase(demo, 'Reminders');
      const name = (await gw.portal.addField(demo, ref, { name: 'What', type: 'text' })).id;
      const due = (await gw.portal.addField(demo, ref, { name: 'Due', type: 'alarm', watch: '' })).id;
      await gw.portal.importRecords(demo, ref, Array.from({ length: 40 }, (_, i) => ({ [name]: `Task ${String(i).padStart(2, '0')} ${'ワイン'.repeat(8)}`, [due]: '2026-11-01' })));
      t.is((await tick(gw)).fired, 43);
      const phone = new Handset(t, gw.base, markup);
      let page = await phone.login();
      const seen = new Set<string>();
      for (let pages = 0; pages < 30; pages++) {
        for (const m of page.words.matchAll(/Task (\d\d)/g)) seen.add(m[1]);
        const next = page.links.find((l) => /next/i.test(l.text));
        if (!next) break;
        page = await phone.get(next.href);
      }
      t.is(seen.size, 40, 'every notice reachable');
      t.is(await (await gw.portal.alarms(demo)).unseenCount(demo), 0, 'all shown, all seen');
    }));

  test(`${markup}: an alarm field is created, changed and listed; email and phone are set; bad input is refused`, (t) =>
    withGateway(async (gw) => {
      const phone = new Handset(t, gw.base, markup);
      const home = await phone.login();
      const cellar = await phone.get(home.link(/Wine cellar/));
      const fields = await phone.get(cellar.link(/Fields/));
      t.regex(fields.words, /Low stock: Bottles < limit, show at login/);
      const added = await phone.post(fields.action, { name: 'Restock', type: 'alarm', watch: 'Bottles' });
      t.regex(added.words, /Restock: Bottles < limit, show at login/, 'the core defaults a phone that sent only the watched field');
      const form = await phone.get(added.link(/Restock/));
      t.regex(form.text, /value="gt"/);
      const refused = await phone.post(form.action, { watch: 'Bottles', op: 'contains', event: 'sms' });
      t.is(refused.status, 400);
      t.regex(refused.words, /Choose a comparison/);
      const changed = await phone.post(form.action, { watch: 'Bottles', op: 'ge', event: 'sms' });
      t.regex(changed.words, /Restock: Bottles >= limit, SMS/);
      const missing = await phone.get(form.url.replace(/fields\/\d+\/alarm/, 'fields/999999/alarm'));
      t.is(missing.status, 404);

      const alarms = await phone.get(home.link(/Alarms/));
      t.regex(alarms.words, /No alarm has gone off/);
      const contact = await phone.get(alarms.link(/Contact|Email and phone/));
      const bad = await phone.post(contact.action, { email: 'demo at example', phone: '+33 6 12 34 56 78' });
      t.is(bad.status, 400);
      t.regex(bad.words, /email address does not look right/);
      const saved = await phone.post(contact.action, { email: 'demo@lab.test', phone: '+33 6 12 34 56 78' });
      t.regex(saved.words, /Saved/);
      t.deepEqual(await (await gw.portal.alarms(await demoActor(gw))).contact(await demoActor(gw)), { email: 'demo@lab.test', phone: '+33612345678' });
    }));

  test(`${markup}: the planner: add an event, see it by day and week, edit it, delete it`, (t) =>
    withGateway(async (gw) => {
      const phone = new Handset(t, gw.base, markup);
      const home = await phone.login();
      const today = await phone.get(home.link(/Planner/));
      t.is(today.status, 200);
      const base = home.url.replace(/\/$/, '');
      const day = await phone.get(`${base}/p?day=2026-12-01`);
      t.regex(day.text, /Tue 2026-12-01/);
      t.regex(day.words, /Nothing planned/);
      const form = await phone.get(day.link(/Add/));
      t.regex(form.text, /2026-12-01/, 'the form starts on the day');
      const event = { title: 'Dentist', type: 'appointment', date: '2026-12-01', time: '10:00', duration: '30', remind: 'login', before: '15' };
      const bad = await phone.post(form.action, { ...event, date: '2026-12-32' });
      t.is(bad.status, 400);
      t.regex(bad.words, /Date must be a date/);
      const created = await phone.post(form.action, event);
      t.regex(created.text, /Dentist/);
      t.regex(created.words, /2026-12-01 10:00/);
      t.regex(created.words, /Show at login, 15 min before/);
      const shown = await phone.get(`${base}/p?day=2026-12-01`);
      t.regex(shown.words, /10:00 Dentist/);
      const week = await phone.get(shown.link(/Week/));
      t.regex(week.words, /Mon 2026-11-30/);
      t.regex(week.words, /Tue 2026-12-01\s*: 10:00 Dentist/);
      const edit = await phone.get(created.link(/Edit/));
      const edited = await phone.post(edit.action, { ...event, time: '11:30', remind: 'sms', before: '60' });
      t.regex(edited.words, /2026-12-01 11:30/);
      t.regex(edited.words, /SMS me, 60 min before/);
      const reminder = await tick(gw, Date.parse('2026-12-01T10:30:00Z'));
      t.true(reminder.fired >= 1);
      const confirm = await phone.get(edited.link(/Delete/));
      t.regex(confirm.words, /Delete "Dentist" on 2026-12-01/);
      const after = await phone.post(confirm.action, {});
      t.regex(after.words, /Nothing planned/);
      const gone = await phone.get(created.url);
      t.is(gone.status, 404);
      const odd = await phone.get(`${base}/p?day=tomorrow`);
      t.is(odd.status, 400);
    }));
}

test('the planner exports iCalendar (RFC 5545) as text/calendar', (t) =>
  withGateway(async (gw) => {
    const demo = await demoActor(gw);
    const planner = await gw.portal.planner(demo);
    await planner.create(demo, { title: 'Réunion; budget, Q1', type: 'meeting', date: '2026-12-01', time: '09:30', duration: '90', remind: 'email', before: '15' });
    await planner.create(demo, { title: 'Call', type: 'call', date: '2026-12-02', time: '08:00', duration: '0', remind: '', before: '0' });
    const phone = new Handset(t, gw.base, 'html');
    const home = await phone.login();
    const day = await phone.get(`${home.url}p?day=2026-12-01`);
    const reply = await fetch(new URL(day.link('iCalendar'), gw.base), { headers: HEADERS.html });
    t.is(reply.headers.get('content-type'), 'text/calendar; charset=utf-8');
    const ics = await reply.text();
    t.true(ics.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:'));
    t.true(ics.endsWith('END:VCALENDAR\r\n'));
    t.true(ics.split('\r\n').every((line) => Buffer.byteLength(line) <= 75), 'folded at 75 octets');
    t.regex(ics, /DTSTART:20261201T093000Z\r\nDURATION:PT1H30M\r\nSUMMARY:Réunion\\; budget\\, Q1/);
    t.regex(ics, /CATEGORIES:MEETING/);
    t.regex(ics, /BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:[^\r]+\r\nTRIGGER:-PT15M\r\nEND:VALARM/);
    t.regex(ics, /DTSTART:20261202T080000Z\r\nDURATION:PT0S\r\nSUMMARY:Call/);
    t.is(ics.match(/BEGIN:VEVENT/g)?.length, 2);
    t.is(ics.match(/BEGIN:VALARM/g)?.length, 1, 'only the event with a reminder');
  }));

test('the link an SMS carries asks for a login, then leads to that alarm', (t) =>
  withGateway(async (gw) => {
    await tick(gw);
    const demo = await demoActor(gw);
    const alarms = await gw.portal.alarms(demo);
    const margaux = (await alarms.notices(demo, 0, 10)).items.find((n) => /Margaux/.test(n.title))!;
    for (const markup of MARKUPS) {
      const phone = new Handset(t, gw.base, markup);
      const page = await phone.get(`/a/${margaux.id}`);
      t.is(page.status, 200);
      t.regex(page.words, /Log in to see your alarm/);
      // Both login steps carry where to go on; after them, the record the alarm is about.
      const password = await phone.post(page.action, { login: 'demo' });
      t.regex(password.action, new RegExp(`next=a%2F${margaux.id}$`));
      const wrong = await phone.post(password.action, { login: 'demo', password: 'nope' });
      t.regex(wrong.action, new RegExp(`next=a%2F${margaux.id}$`), 'a wrong password keeps it');
      const record = await phone.post(password.action, { login: 'demo', password: 'demo' });
      t.regex(record.url, new RegExp(`/s/[^/]+/${margaux.link}$`));
      t.regex(record.words, /Ch.teau Margaux/);
      t.is((await phone.get('/a/x')).status, 404);
    }
    t.true((await alarms.notices(demo, 0, 10)).items.find((n) => n.id === margaux.id)!.seen, 'the alarm opened is seen');
    // Another user's alarm, or one that does not exist, is not found.
    const alice = new Handset(t, gw.base, 'html');
    const login = await alice.get(`/a/${margaux.id}`);
    const other = await alice.post((await alice.post(login.action, { login: 'alice' })).action, { login: 'alice', password: 'alice' });
    t.is(other.status, 404);
  }));

test('after login, only a path of ours is followed: an outside URL is refused', (t) =>
  withGateway(async (gw) => {
    for (const next of ['http://evil.example/a/1', '//evil.example/a/1', '/\\evil.example', '../../x', 'a/1?x=http://evil.example', 'javascript:alert(1)']) {
      const phone = new Handset(t, gw.base, 'html');
      await phone.get('/');
      const home = await phone.post(`/login/password?next=${encodeURIComponent(next)}`, { login: 'demo', password: 'demo' });
      t.is(home.status, 200);
      t.regex(home.url, new RegExp(`^${gw.base}/s/[^/]+/$`), `${next}: home, nowhere else`);
      const password = await phone.post(`/login?next=${encodeURIComponent(next)}`, { login: 'demo' });
      t.false(password.text.includes('evil'), `${next} is not carried on`);
    }
  }));

test('alarms of a database in the locker show no title until it is opened in the session', (t) =>
  withGateway(async (gw) => {
    const demo = await demoActor(gw);
    const cellar = (await gw.portal.databases(demo)).find((d) => d.name === 'Wine cellar')!;
    await gw.portal.setLocker(demo, 'locker-pw');
    await gw.portal.lock(demo, cellar);
    await tick(gw);
    for (const markup of MARKUPS) {
      const phone = new Handset(t, gw.base, markup);
      const first = await phone.login();
      // The first login shows the unseen alarms at once; later ones go home.
      const list = /\/alarms$/.test(first.url) ? first : await phone.get(first.link(/Alarms/));
      t.is(list.words.match(/An alarm in a locked database/g)?.length, 3, `${markup}: what fired`);
      t.notRegex(list.words, /Margaux|P.trus|Drink from/);
      const set = await phone.get(list.link(/set/i));
      t.regex(set.words, /An alarm in a locked database/);
      t.notRegex(set.words, /Latour|Drink from/, `${markup}: what is set`);
      // The link asks for the locker password, then shows the record; the titles come back.
      const ask = await phone.get(list.link(/An alarm in a locked database/));
      t.is(ask.status, 403);
      const record = await phone.post(ask.action, { password: 'locker-pw' });
      t.is(record.status, 200, record.words);
      t.regex(record.words, /Vineyard/);
      const again = await phone.get(record.link(/Home/));
      t.regex((await phone.get(again.link(/Alarms/))).words, /Wine cellar: B-005 P.trus, Drink from 2020-01-01/);
    }
  }));
