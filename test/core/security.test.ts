// The secure session layer in the core: cells vouch for their users with signed assertions, the
// locker, token rotation, the bound on sessions per user, and login throttling.
import test from 'ava';
import { kindOf, openTestPortal, closeTestPortals } from '../support/system.ts';
import { CoreError } from '../../core/errors.ts';
import type { Actor } from '../../core/cell/cell.ts';

test.after.always(closeTestPortals);

async function sharedAcrossCells() {
  const portal = await openTestPortal();
  await portal.addCell('c1', 10);
  await portal.addCell('c2', 10);
  await portal.addCell('c3', 10);
  const ann = await portal.register('ann', 'secret', 'Ann');
  const bob = await portal.register('bob', 'secret', 'Bob');
  const eve = await portal.register('eve', 'secret', 'Eve');
  const ref = await portal.createDatabase(ann, 'Diary');
  await portal.addField(ann, ref, { name: 'Entry', type: 'text' });
  await portal.share(ann, ref, 'bob', 'read');
  return { portal, ann, bob, eve, ref };
}

test("a user of another cell gets in only on their own cell's signed word", async (t) => {
  const { portal, bob, eve, ref } = await sharedAcrossCells();
  t.deepEqual([bob.cellId, eve.cellId], ['c2', 'c3']);
  const owner = await portal.cell(ref.cellId);
  t.is((await portal.records(bob, ref, 0, 5)).items.length, 0, 'through the portal, vouched for by c2');

  const asBob: Actor = { login: 'bob', cellId: 'c2' };
  t.is(await kindOf(owner.access(asBob, ref.dbId)), 'forbidden', 'no assertion, no entry');
  const fromC2 = (await portal.cell('c2')).vouch('bob', ref.cellId);
  t.is((await owner.access({ ...asBob, assertion: fromC2 }, ref.dbId)).right, 'read');

  const [body, signature] = fromC2.split('.');
  const claim = JSON.parse(Buffer.from(body, 'base64url').toString());
  const forged = `${Buffer.from(JSON.stringify({ ...claim, sub: 'eve' })).toString('base64url')}.${signature}`;
  t.is(await kindOf(owner.access({ login: 'eve', cellId: 'c2', assertion: forged }, ref.dbId)), 'forbidden', 'a changed claim breaks the signature');
  t.is(await kindOf(owner.access({ login: 'eve', cellId: 'c3', assertion: fromC2 }, ref.dbId)), 'forbidden', "bob's assertion does not let eve in");
  const byC3ForBob = (await portal.cell('c3')).vouch('bob', ref.cellId);
  t.is(await kindOf(owner.access({ ...asBob, assertion: byC3ForBob }, ref.dbId)), 'forbidden', 'only the cell that hosts bob vouches for him');
  const elsewhere = (await portal.cell('c2')).vouch('bob', 'c3');
  t.is(await kindOf(owner.access({ ...asBob, assertion: elsewhere }, ref.dbId)), 'forbidden', 'an assertion meant for another cell');
  t.is(await kindOf(owner.access({ ...asBob, assertion: 'garbage' }, ref.dbId)), 'forbidden');
});

test('an expired assertion is refused', async (t) => {
  const { portal, ref } = await sharedAcrossCells();
  const key = await portal.dispatch.publicKey('c2');
  t.truthy(key, 'each cell publishes its public key in the dispatch');
  const fresh = (await portal.cell('c2')).vouch('bob', ref.cellId);
  const claim = JSON.parse(Buffer.from(fresh.split('.')[0], 'base64url').toString());
  t.true(claim.exp - Date.now() <= 60_000, 'assertions live a minute at most');
  const { Verifier } = await import('../../core/cell/vouch.ts');
  const later = new Verifier(ref.cellId, (id) => portal.dispatch.publicKey(id), () => claim.exp + 1);
  t.is(await kindOf(later.verify(fresh)), 'forbidden');
  t.like(await new Verifier(ref.cellId, (id) => portal.dispatch.publicKey(id)).verify(fresh), { sub: 'bob', iss: 'c2' });
});

test('the locker: a second password, asked again per database, and a locked database is never shared', async (t) => {
  const { portal, ann, ref } = await sharedAcrossCells();
  const own = await portal.createDatabase(ann, 'Private');
  t.is(await kindOf(portal.lock(ann, own)), 'invalid', 'no locker password yet');
  await portal.setLocker(ann, 'open-sesame');
  t.is(await kindOf(portal.setLocker(ann, 'new-one', 'wrong')), 'bad-password', 'changing it needs the current one');
  t.is(await kindOf(portal.lock(ann, ref)), 'conflict', 'a shared database cannot go in the locker');
  await portal.lock(ann, own);
  t.is(await kindOf(portal.database(ann, own)), 'locked');
  t.is(await kindOf(portal.share(ann, own, 'bob', 'read')), 'locked');
  const row = await (await portal.cell('c1')).store.get<{ locker_hash: string }>('SELECT locker_hash FROM users WHERE login = ?', ['ann']);
  t.notRegex(row!.locker_hash, /open-sesame/, 'stored hashed');

  const { session } = await portal.login('ann', 'secret');
  t.is(await kindOf(portal.unlock(session, own, 'nope')), 'bad-password');
  const opened = await portal.unlock(session, own, 'open-sesame');
  t.not(opened.token, session.token, 'the token changes with the privilege');
  t.is(await portal.sessions.resume(session.token), null, 'the old token is dead');
  const actor = portal.actorOf((await portal.sessions.resume(opened.token))!);
  t.is((await portal.database(actor, own)).name, 'Private');
  t.is(await kindOf(portal.share(actor, own, 'bob', 'read')), 'conflict', 'still not shareable while open');
  const other = await portal.createDatabase(ann, 'Other');
  await portal.lock(actor, other);
  t.is(await kindOf(portal.database(actor, other)), 'locked', 'the unlock holds for that database only');
});

test('an unlock holds for a limited time', async (t) => {
  let now = Date.now();
  const portal = await openTestPortal({ now: () => now });
  await portal.addCell('c1', 10);
  const ann = await portal.register('ann', 'secret', 'Ann');
  const ref = await portal.createDatabase(ann, 'Private');
  await portal.setLocker(ann, 'open-sesame');
  await portal.lock(ann, ref);
  const { session } = await portal.login('ann', 'secret');
  const opened = await portal.unlock(session, ref, 'open-sesame');
  t.is((await portal.database(portal.actorOf(opened), ref)).name, 'Private');
  now += 11 * 60_000;
  const later = await portal.sessions.resume(opened.token);
  t.truthy(later, 'the session itself lives on');
  t.is(await kindOf(portal.database(portal.actorOf(later!), ref)), 'locked');
});

test('a user holds a bounded number of sessions: the oldest end first', async (t) => {
  let now = Date.now();
  const portal = await openTestPortal({ sessions: { perUser: 3 }, now: () => now++ });
  await portal.addCell('c1', 10);
  await portal.register('ann', 'secret', 'Ann');
  const tokens = [];
  for (let i = 0; i < 5; i++) tokens.push((await portal.login('ann', 'secret')).session.token);
  const alive = await Promise.all(tokens.map(async (token) => (await portal.sessions.resume(token)) !== null));
  t.deepEqual(alive, [false, false, true, true, true]);
});

test('failed logins slow down per login and per address, and say nothing more than step one', async (t) => {
  let now = 1_000_000_000;
  const portal = await openTestPortal({ now: () => now, throttle: { free: 3, base: 2000, max: 60_000 } });
  await portal.addCell('c1', 10);
  await portal.register('ann', 'secret', 'Ann');
  for (let i = 0; i < 3; i++) t.is(await kindOf(portal.login('ann', 'wrong', '10.0.0.1')), 'bad-password');
  t.is(await kindOf(portal.login('ann', 'wrong', '10.0.0.1')), 'bad-password', 'the fourth failure starts the delay');
  t.is(await kindOf(portal.login('ann', 'secret', '10.0.0.2')), 'throttled', 'even the right password waits, from anywhere');
  now += 2001;
  t.is(await kindOf(portal.login('ann', 'wrong', '10.0.0.2')), 'bad-password');
  t.is(await kindOf(portal.login('ann', 'secret', '10.0.0.3')), 'throttled', 'the delay has doubled');
  now += 4001;
  t.is(await kindOf(portal.login('ann', 'secret', '10.0.0.3')), 'ok');
  t.is(await kindOf(portal.login('ann', 'wrong', '10.0.0.3')), 'bad-password', 'a success starts the login afresh');

  for (let i = 0; i < 4; i++) await kindOf(portal.login(`ghost${i}`, 'x', '10.9.9.9'));
  const err = await t.throwsAsync(portal.login('ann', 'secret', '10.9.9.9'));
  t.is((err as CoreError).kind, 'throttled', 'an address guessing many logins waits too');
  t.regex(err!.message, /Too many failed attempts/);
});
