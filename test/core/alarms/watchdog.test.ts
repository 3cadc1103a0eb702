// The watchdog with a clock the tests move: date alarms, value alarms crossing their limit, a
// restart between due time and delivery, a failing channel, planner reminders.
import test from 'ava';
import { closeTestPortal, closeTestPortals, freshBase, kindOf, openTestPortal } from '../../support/system.ts';
import { Watchdog, type WatchdogOptions } from '../../../core/alarms/watchdog.ts';
import { startWatchdogs } from '../../../core/alarms/run.ts';
import type { Channel, Channels, Notice } from '../../../core/alarms/channels.ts';
import type { Portal, DbRef } from '../../../core/portal.ts';
import type { Actor } from '../../../core/cell/cell.ts';

test.after.always(closeTestPortals);

const T0 = Date.parse('2026-12-01T08:00:00Z');
const MINUTE = 60_000;

class Clock {
  at = T0;
  now = () => this.at;
}

/** A channel that keeps what it was given to send. */
function recorder(): Channel & { sent: { address: string; notice: Notice }[] } {
  const sent: { address: string; notice: Notice }[] = [];
  return { sent, send: async (address, notice) => void sent.push({ address, notice }) };
}

async function system(base?: string) {
  const portal = await openTestPortal({}, base);
  if (!base || (await portal.dispatch.cells()).length === 0) await portal.addCell('c1', 10);
  return portal;
}

async function watchdog(portal: Portal, clock: Clock, channels: Channels = {}, options: WatchdogOptions = {}) {
  return new Watchdog((await portal.cell('c1')).store, channels, { now: clock.now, ...options });
}

/** A cellar with a date alarm and a stock alarm ("Bottles < limit"), both by `event`. */
async function cellar(portal: Portal, owner: Actor, event = 'login') {
  const ref: DbRef = await portal.createDatabase(owner, 'Cellar');
  const name = (await portal.addField(owner, ref, { name: 'Wine', type: 'text' })).id;
  const bottles = (await portal.addField(owner, ref, { name: 'Bottles', type: 'number' })).id;
  const drink = (await portal.addField(owner, ref, { name: 'Drink from', type: 'alarm', watch: '', op: 'ge', event })).id;
  const low = (await portal.addField(owner, ref, { name: 'Low stock', type: 'alarm', watch: 'Bottles', op: 'lt', event })).id;
  return { ref, f: { name, bottles, drink, low } };
}

/** Ann with her cellar on a fresh system. */
async function annsCellar() {
  const portal = await system();
  const ann = await portal.register('ann', 'secret', 'Ann');
  return { portal, ann, ...(await cellar(portal, ann)) };
}

test('a date alarm fires once, at its time', async (t) => {
  const clock = new Clock();
  const { portal, ann, ref, f } = await annsCellar();
  await portal.createRecord(ann, ref, { [f.name]: 'Margaux', [f.drink]: '2026-12-02' });
  const dog = await watchdog(portal, clock);
  t.is((await dog.tick()).fired, 0, 'not before its day');
  clock.at = Date.parse('2026-12-01T23:59:59Z');
  t.is((await dog.tick()).fired, 0);
  clock.at = Date.parse('2026-12-02T00:00:00Z');
  t.is((await dog.tick()).fired, 1, 'at the start of its day');
  clock.at += 3 * 86_400_000;
  t.is((await dog.tick()).fired, 0, 'and never again');
  const alarms = await portal.alarms(ann);
  const { items } = await alarms.notices(ann, 0, 10);
  t.is(items.length, 1);
  t.regex(items[0].title, /Cellar: Margaux, Drink from 2026-12-02/);
  t.regex(items[0].link, /^d\/c1\/\d+\/r\/\d+$/);
  t.is(items[0].delivery, 'none', 'shown at login: nothing to send');
  t.is(await alarms.unseenCount(ann), 1);
  await alarms.markSeen(ann, [items[0].id]);
  t.is(await alarms.unseenCount(ann), 0);
});

test('editing a date alarm to a new day re-arms it; an edit that keeps the day does not', async (t) => {
  const clock = new Clock();
  const { portal, ann, ref, f } = await annsCellar();
  const id = await portal.createRecord(ann, ref, { [f.name]: 'Latour', [f.drink]: '2026-11-01' });
  const dog = await watchdog(portal, clock);
  t.is((await dog.tick()).fired, 1, 'a day already past is due at once');
  await portal.updateRecord(ann, ref, id, { [f.name]: 'Latour 2005' });
  t.is((await dog.tick()).fired, 0, 'the same day: nothing new');
  await portal.updateRecord(ann, ref, id, { [f.drink]: '2026-12-05' });
  clock.at = Date.parse('2026-12-05T00:00:00Z');
  t.is((await dog.tick()).fired, 1);
  await portal.updateRecord(ann, ref, id, { [f.drink]: '' });
  await portal.updateRecord(ann, ref, id, { [f.drink]: '2026-12-20' });
  await portal.deleteRecord(ann, ref, id);
  clock.at = Date.parse('2026-12-21T00:00:00Z');
  t.is((await dog.tick()).fired, 0, 'a deleted record has no alarm');
});

test('a value alarm fires when an edit crosses the limit, and not again until it crosses back', async (t) => {
  const clock = new Clock();
  const { portal, ann, ref, f } = await annsCellar();
  const id = await portal.createRecord(ann, ref, { [f.name]: 'Petrus', [f.bottles]: '5', [f.low]: '3' });
  const dog = await watchdog(portal, clock);
  const fired = async () => (await dog.tick()).fired;
  t.is(await fired(), 0, '5 is not below 3');
  await portal.updateRecord(ann, ref, id, { [f.bottles]: '2' });
  t.is(await fired(), 1, 'crossed: 2 < 3');
  await portal.updateRecord(ann, ref, id, { [f.bottles]: '1' });
  t.is(await fired(), 0, 'still below: no second notice');
  await portal.updateRecord(ann, ref, id, { [f.bottles]: '6' });
  t.is(await fired(), 0, 'back above');
  await portal.updateRecord(ann, ref, id, { [f.bottles]: '0' });
  t.is(await fired(), 1, 'crossed again');
  await portal.updateRecord(ann, ref, id, { [f.low]: '-1' });
  await portal.updateRecord(ann, ref, id, { [f.low]: '3' });
  t.is(await fired(), 1, 'a new limit that is crossed counts as a crossing');
  const { items } = await (await portal.alarms(ann)).notices(ann, 0, 10);
  t.deepEqual(
    items.map((n) => n.title),
    ['Cellar: Petrus, Bottles < 3 (now 0)', 'Cellar: Petrus, Bottles < 3 (now 0)', 'Cellar: Petrus, Bottles < 3 (now 2)'],
  );
  // A writer other than the owner crosses it: the owner is told.
  const bob = await portal.register('bob', 'secret', 'Bob');
  await portal.share(ann, ref, 'bob', 'write');
  await portal.updateRecord(bob, ref, id, { [f.bottles]: '9' });
  await portal.updateRecord(bob, ref, id, { [f.bottles]: '1' });
  t.is(await fired(), 1);
  t.is((await (await portal.alarms(ann)).notices(ann, 0, 10)).items.length, 4);
  t.is((await (await portal.alarms(bob)).notices(bob, 0, 10)).items.length, 0);
});

test('changing an alarm field re-evaluates every record: a new comparison may fire at once', async (t) => {
  const clock = new Clock();
  const { portal, ann, ref, f } = await annsCellar();
  await portal.importRecords(ann, ref, [
    { [f.name]: 'A', [f.bottles]: '5', [f.low]: '3' },
    { [f.name]: 'B', [f.bottles]: '9', [f.low]: '3' },
  ]);
  const dog = await watchdog(portal, clock);
  t.is((await dog.tick()).fired, 0);
  const changed = await portal.setAlarm(ann, ref, f.low, { watch: 'Bottles', op: 'gt', event: 'email' });
  t.deepEqual(changed.options.alarm, { watch: 'Bottles', op: 'gt', event: 'email' });
  t.is((await dog.tick()).fired, 2, 'both now hold (> 3)');
  t.is(await kindOf(portal.setAlarm(ann, ref, f.low, { watch: '', op: 'ge', event: 'login' })), 'invalid', 'limits of another kind');
  t.is(await kindOf(portal.setAlarm(ann, ref, f.name, { watch: '', op: 'ge', event: 'login' })), 'not-found', 'not an alarm field');
  t.is(await kindOf(portal.setAlarm(ann, ref, f.low, { watch: 'Bottles', op: 'contains', event: 'login' })), 'invalid');
  const bob = await portal.register('bob', 'secret', 'Bob');
  await portal.share(ann, ref, 'bob', 'write');
  t.is(await kindOf(portal.setAlarm(bob, ref, f.low, { watch: 'Bottles', op: 'lt', event: 'login' })), 'forbidden');
  const { items } = await (await portal.alarms(ann)).setAlarms(ann, 0, 10);
  t.is(items.length, 2, 'the alarms set are listed');
  t.true(items.every((a) => a.channel === 'email' && a.holds));
});

test('a record write and its watches commit together: a failing watch update rolls the write back', async (t) => {
  const clock = new Clock();
  const { portal, ann, ref, f } = await annsCellar();
  const kept = await portal.createRecord(ann, ref, { [f.name]: 'Latour', [f.bottles]: '9', [f.low]: '3' });
  const alarms = (await portal.cell('c1')).alarms;
  const { recordsWritten, recordsRemoved } = alarms;
  const failing = new Error('the watch index is unreachable');
  // The watch rows are written first, then the update fails: both must be undone with the record.
  alarms.recordsWritten = async (tx, db, records) => {
    await recordsWritten.call(alarms, tx, db, records);
    throw failing;
  };
  alarms.recordsRemoved = async (tx, db, ids) => {
    await recordsRemoved.call(alarms, tx, db, ids);
    throw failing;
  };
  const watches = async () => (await alarms.setAlarms(ann, 0, 50)).items.map((a) => a.title).sort();
  const before = { records: (await portal.records(ann, ref, 0, 50)).items, watches: await watches() };
  t.is((await t.throwsAsync(portal.createRecord(ann, ref, { [f.name]: 'Petrus', [f.drink]: '2026-12-02' })))?.message, failing.message);
  t.is((await t.throwsAsync(portal.importRecords(ann, ref, [{ [f.name]: 'Yquem', [f.bottles]: '1', [f.low]: '2' }])))?.message, failing.message);
  t.is((await t.throwsAsync(portal.updateRecord(ann, ref, kept, { [f.bottles]: '1' })))?.message, failing.message);
  t.is((await t.throwsAsync(portal.deleteRecord(ann, ref, kept)))?.message, failing.message);
  t.is((await t.throwsAsync(portal.setAlarm(ann, ref, f.low, { watch: 'Bottles', op: 'gt', event: 'login' })))?.message, failing.message);
  const after = await portal.records(ann, ref, 0, 50);
  t.deepEqual(after.items, before.records, 'no record added, changed or removed');
  t.is(after.db.recordCount, 1);
  t.is(after.db.fields.find((x) => x.id === f.low)?.options.alarm?.op, 'lt', 'the alarm setting is unchanged');
  t.deepEqual(await watches(), before.watches, 'no watch added, changed or removed');
  t.is((await portal.search(ann, ref, { fieldId: f.name, op: 'contains', operand: 'Petrus' }, 0, 10)).items.length, 0, 'nothing indexed');
  // Working again, the same writes go through with their watches.
  alarms.recordsWritten = recordsWritten;
  alarms.recordsRemoved = recordsRemoved;
  await portal.updateRecord(ann, ref, kept, { [f.bottles]: '1' });
  t.is((await (await watchdog(portal, clock)).tick()).fired, 1, 'the edit crossing the limit fires');
});

test('alarms of a database in the locker hide their title until it is opened in the session', async (t) => {
  const clock = new Clock();
  const { portal, ann, ref, f } = await annsCellar();
  await portal.createRecord(ann, ref, { [f.name]: 'Margaux', [f.drink]: '2026-12-01' });
  await portal.createRecord(ann, ref, { [f.name]: 'Latour', [f.drink]: '2031-01-01' });
  await portal.setLocker(ann, 'locker-pw');
  await portal.lock(ann, ref);
  t.like(await (await watchdog(portal, clock)).tick(), { fired: 1 });
  const alarms = await portal.alarms(ann);
  const titles = async (actor: Actor) => [...(await alarms.notices(actor, 0, 10)).items, ...(await alarms.setAlarms(actor, 0, 10)).items].map((n) => n.title);
  const hidden = await titles(ann);
  t.deepEqual(hidden, Array(3).fill('An alarm in a locked database'), 'what fired and what is set');
  t.regex((await alarms.notices(ann, 0, 1)).items[0].link, /^d\/c1\/\d+\/r\/\d+$/, 'the link stays: it asks for the locker password');
  const opened = { ...ann, unlocked: [`c1:${ref.dbId}`] };
  t.true((await titles(opened)).every((title) => /^Cellar: (Margaux|Latour)/.test(title)), 'opened in the session');
  t.true((await titles({ ...ann, unlocked: ['c1:999'] })).every((title) => title === 'An alarm in a locked database'), 'another database opened');
  await portal.unlockForGood(opened, ref);
  t.true((await titles(ann)).every((title) => title.startsWith('Cellar: ')), 'out of the locker');
});

test('a restart between due time and delivery delivers exactly once', async (t) => {
  const clock = new Clock();
  const base = freshBase();
  const first = await system(base);
  const ann = await first.register('ann', 'secret', 'Ann');
  await (await first.alarms(ann)).setContact(ann, { email: 'ann@lab.test', phone: '' });
  const { ref, f } = await cellar(first, ann, 'email');
  await first.createRecord(ann, ref, { [f.name]: 'Margaux', [f.drink]: '2026-12-03' });
  await first.createRecord(ann, ref, { [f.name]: 'Yquem', [f.drink]: '2026-12-04' });
  const mail = recorder();
  // Due, and fired, but the process stops before it delivers.
  clock.at = Date.parse('2026-12-03T06:00:00Z');
  t.is((await (await watchdog(first, clock, { email: mail })).fireDue()).fired, 1);
  await closeTestPortal(first);
  // Down while the second one comes due.
  clock.at = Date.parse('2026-12-04T06:00:00Z');
  const second = await system(base);
  const dog = await watchdog(second, clock, { email: mail });
  const report = await dog.tick();
  t.is(report.fired, 1, 'the one due while down fires now');
  t.is(report.delivered, 2, 'both are delivered');
  t.deepEqual((await dog.tick()).delivered, 0, 'and not again');
  clock.at += 86_400_000;
  t.is((await dog.tick()).delivered, 0);
  t.deepEqual(mail.sent.map((s) => [s.address, s.notice.title]), [
    ['ann@lab.test', 'Cellar: Margaux, Drink from 2026-12-03'],
    ['ann@lab.test', 'Cellar: Yquem, Drink from 2026-12-04'],
  ]);
  const notices = (await (await second.alarms(ann)).notices(ann, 0, 10)).items;
  t.deepEqual(notices.map((n) => n.delivery), ['sent', 'sent']);
});

test('two watchdogs on one cell deliver each notice once', async (t) => {
  const clock = new Clock();
  const portal = await system();
  const ann = await portal.register('ann', 'secret', 'Ann');
  await (await portal.alarms(ann)).setContact(ann, { email: '', phone: '+33 6 12 34 56 78' });
  const { ref, f } = await cellar(portal, ann, 'sms');
  for (let i = 0; i < 5; i++) await portal.createRecord(ann, ref, { [f.name]: `W${i}`, [f.drink]: '2026-11-01' });
  const sms = recorder();
  const [a, b] = [await watchdog(portal, clock, { sms }), await watchdog(portal, clock, { sms })];
  const reports = await Promise.all([a.tick(), b.tick()]);
  t.is(reports[0].fired + reports[1].fired, 5);
  t.is(sms.sent.length, 5);
  t.is(new Set(sms.sent.map((s) => s.notice.id)).size, 5);
  t.true(sms.sent.every((s) => s.address === '+33612345678'));
});

test('a failing channel is retried with a growing wait, then reported; other alarms keep working', async (t) => {
  const clock = new Clock();
  const portal = await system();
  const ann = await portal.register('ann', 'secret', 'Ann');
  const alarms = await portal.alarms(ann);
  await alarms.setContact(ann, { email: 'ann@lab.test', phone: '' });
  const { ref, f } = await cellar(portal, ann, 'email');
  let tries = 0;
  const broken: Channel = {
    send: async () => {
      tries++;
      throw new Error('connect ECONNREFUSED 127.0.0.1:25');
    },
  };
  const dog = await watchdog(portal, clock, { email: broken }, { maxAttempts: 3, backoffMs: MINUTE });
  await portal.createRecord(ann, ref, { [f.name]: 'Margaux', [f.drink]: '2026-11-01' });
  t.like(await dog.tick(), { fired: 1, retried: 1, delivered: 0 });
  let [notice] = (await alarms.notices(ann, 0, 1)).items;
  t.like(notice, { delivery: 'pending', attempts: 1, lastError: 'connect ECONNREFUSED 127.0.0.1:25' }, 'the state is visible');
  clock.at += MINUTE - 1;
  t.like(await dog.tick(), { retried: 0 }, 'waits a minute after the first failure');
  clock.at += 1;
  t.like(await dog.tick(), { retried: 1 });
  clock.at += 2 * MINUTE - 1;
  t.like(await dog.tick(), { retried: 0, failed: 0 }, 'then two');
  // Meanwhile a login alarm fires as usual.
  const loginAlarm = (await portal.addField(ann, ref, { name: 'Check', type: 'alarm', watch: '', event: 'login' })).id;
  await portal.createRecord(ann, ref, { [f.name]: 'Other', [loginAlarm]: '2026-11-01' });
  clock.at += 1;
  t.like(await dog.tick(), { fired: 1, failed: 1 }, 'the third failure is the last');
  t.is(tries, 3);
  clock.at += 60 * MINUTE;
  t.like(await dog.tick(), { retried: 0, failed: 0, delivered: 0 });
  t.is(tries, 3, 'given up');
  [, notice] = (await alarms.notices(ann, 0, 2)).items;
  t.like(notice, { delivery: 'failed', attempts: 3, lastError: 'connect ECONNREFUSED 127.0.0.1:25' });
});

test('an email or SMS alarm without an address, or without a channel, is reported as failed', async (t) => {
  const clock = new Clock();
  const portal = await system();
  const ann = await portal.register('ann', 'secret', 'Ann');
  const { ref, f } = await cellar(portal, ann, 'sms');
  await portal.createRecord(ann, ref, { [f.name]: 'Margaux', [f.drink]: '2026-11-01' });
  const dog = await watchdog(portal, clock, {}, { maxAttempts: 1 });
  t.like(await dog.tick(), { fired: 1, failed: 1 });
  const alarms = await portal.alarms(ann);
  t.like((await alarms.notices(ann, 0, 1)).items[0], { delivery: 'failed', lastError: 'No phone number is set for alarms.' });
  await alarms.setContact(ann, { email: '', phone: '+4412345' });
  await portal.createRecord(ann, ref, { [f.name]: 'Latour', [f.drink]: '2026-11-01' });
  t.like(await dog.tick(), { fired: 1, failed: 1 });
  t.like((await alarms.notices(ann, 0, 1)).items[0], { delivery: 'failed', lastError: 'Alarms by sms are not set up on this gateway.' });
});

test('contacts are checked; a bad one changes nothing', async (t) => {
  const portal = await system();
  const ann = await portal.register('ann', 'secret', 'Ann');
  const alarms = await portal.alarms(ann);
  await alarms.setContact(ann, { email: 'ann@lab.test', phone: '+81 90-1234-5678' });
  t.is(await kindOf(alarms.setContact(ann, { email: 'not an address', phone: '' })), 'invalid');
  t.is(await kindOf(alarms.setContact(ann, { email: '', phone: '12ab' })), 'invalid');
  t.deepEqual(await alarms.contact(ann), { email: 'ann@lab.test', phone: '+819012345678' });
  t.is(await kindOf(alarms.contact({ login: 'ann', cellId: 'c9' })), 'forbidden');
});

test('planner reminders fire at the set time before the event, and follow its edits', async (t) => {
  const clock = new Clock();
  const portal = await system();
  const ann = await portal.register('ann', 'secret', 'Ann');
  const planner = await portal.planner(ann);
  const dog = await watchdog(portal, clock);
  const id = await planner.create(ann, { type: 'appointment', title: 'Dentist', date: '2026-12-01', time: '10:00', duration: '30', remind: 'login', before: '15' });
  clock.at = Date.parse('2026-12-01T09:44:59Z');
  t.is((await dog.tick()).fired, 0);
  clock.at = Date.parse('2026-12-01T09:45:00Z');
  t.is((await dog.tick()).fired, 1, 'fifteen minutes before');
  t.is((await dog.tick()).fired, 0);
  const [notice] = (await (await portal.alarms(ann)).notices(ann, 0, 1)).items;
  t.is(notice.title, 'Dentist (appointment) at 2026-12-01 10:00');
  t.is(notice.link, `p/e/${id}`);
  // Moved to the afternoon, with an hour's notice: a new reminder.
  await planner.update(ann, id, { type: 'appointment', title: 'Dentist', date: '2026-12-01', time: '14:30', duration: '30', remind: 'login', before: '60' });
  clock.at = Date.parse('2026-12-01T13:29:00Z');
  t.is((await dog.tick()).fired, 0);
  clock.at = Date.parse('2026-12-01T13:30:00Z');
  t.is((await dog.tick()).fired, 1);
  // No reminder, or deleted: nothing fires.
  const quiet = await planner.create(ann, { type: 'call', title: 'Call mum', date: '2026-12-02', time: '9:00', duration: '', remind: '', before: '' });
  const gone = await planner.create(ann, { type: 'task', title: 'Taxes', date: '2026-12-02', time: '12:00', duration: '60', remind: 'login', before: '0' });
  await planner.remove(ann, gone);
  clock.at = Date.parse('2026-12-03T00:00:00Z');
  t.is((await dog.tick()).fired, 0);
  t.is((await planner.event(ann, quiet)).time, '09:00');
  t.deepEqual((await planner.between(ann, Date.parse('2026-12-01T00:00:00Z'), Date.parse('2026-12-03T00:00:00Z'))).map((e) => e.title), ['Dentist', 'Call mum']);
});

test('planner input is checked, and events are their owner\'s alone', async (t) => {
  const portal = await system();
  const ann = await portal.register('ann', 'secret', 'Ann');
  const bob = await portal.register('bob', 'secret', 'Bob');
  const planner = await portal.planner(ann);
  const good = { type: 'meeting', title: 'Board', date: '2026-12-01', time: '10:00', duration: '60', remind: 'email', before: '30' };
  const id = await planner.create(ann, good);
  for (const bad of [{ title: ' ' }, { type: 'party' }, { date: '2026-02-30' }, { time: '24:00' }, { duration: '-5' }, { remind: 'pigeon' }, { before: 'soon' }]) {
    t.is(await kindOf(planner.create(ann, { ...good, ...bad })), 'invalid', JSON.stringify(bad));
    t.is(await kindOf(planner.update(ann, id, { ...good, ...bad })), 'invalid', JSON.stringify(bad));
  }
  t.like(await planner.event(ann, id), { title: 'Board', time: '10:00', duration: 60, remind: 'email', remindBefore: 30 }, 'a refused edit changes nothing');
  t.is(await kindOf(planner.event(bob, id)), 'not-found');
  t.is(await kindOf(planner.update(bob, id, good)), 'not-found');
  t.is(await kindOf(planner.remove(bob, id)), 'not-found');
  t.is(await kindOf(planner.event({ login: 'ann', cellId: 'c2' }, id)), 'forbidden');
  t.is((await planner.all(bob)).length, 0);
});

test('alarm values stored before the watch index existed get their watches when the cell opens', async (t) => {
  const clock = new Clock();
  const base = freshBase();
  const first = await system(base);
  const ann = await first.register('ann', 'secret', 'Ann');
  const { ref, f } = await cellar(first, ann);
  await first.importRecords(ann, ref, [
    { [f.name]: 'Margaux', [f.drink]: '2026-11-01' },
    { [f.name]: 'Petrus', [f.bottles]: '1', [f.low]: '3' },
    { [f.name]: 'Latour', [f.bottles]: '9', [f.low]: '3', [f.drink]: '2031-01-01' },
  ]);
  // As a store written before alarms were watched: no watches, the backfill still to do.
  const store = (await first.cell('c1')).store;
  await store.run('DELETE FROM alarm_watch');
  await store.run('INSERT INTO alarm_backfill (id) VALUES (1)');
  await closeTestPortal(first);
  const second = await system(base);
  const dog = await watchdog(second, clock);
  t.is((await dog.tick()).fired, 2, 'the past date and the stock below its limit');
  t.is((await (await second.alarms(ann)).setAlarms(ann, 0, 10)).items.length, 4);
  t.falsy(await (await second.cell('c1')).store.get('SELECT id FROM alarm_backfill'), 'done once');
});

test('the running watchdogs serve a cell added after they started, and a cell out of reach stops none of the others', async (t) => {
  const portal = await system();
  const ann = await portal.register('ann', 'secret', 'Ann');
  const errors: unknown[] = [];
  const stop = await startWatchdogs(portal, {}, 20, (err) => errors.push(err));
  try {
    await portal.addCell('c2', 10);
    const bob = await portal.register('bob', 'secret', 'Bob');
    t.is(bob.cellId, 'c2');
    // Registered with a store nothing answers at: every tick fails to open it.
    await portal.dispatch.addCell('c3', 'mysql://root@127.0.0.1:9/nowhere', 10);
    for (const owner of [ann, bob]) {
      const { ref, f } = await cellar(portal, owner);
      await portal.createRecord(owner, ref, { [f.name]: 'Margaux', [f.drink]: '2020-01-01' });
    }
    const fired = async (owner: Actor) => (await (await portal.alarms(owner)).notices(owner, 0, 10)).items.length;
    for (let i = 0; i < 250 && ((await fired(ann)) === 0 || (await fired(bob)) === 0 || errors.length === 0); i++) await new Promise((r) => setTimeout(r, 20));
    t.is(await fired(ann), 1, 'the cell there at the start');
    t.is(await fired(bob), 1, 'the cell added later');
    // More ticks go by: the cell still out of reach is tried again, but not reported again.
    await new Promise((r) => setTimeout(r, 300));
    t.is(errors.length, 1, 'the cell out of reach is reported once');
    t.regex(String(errors[0]), /c3/);
  } finally {
    await stop();
  }
});
