// The SyncML server's sessions in the dispatch store: one message at a time per session, a
// revision each answer advances, a lease that outlives no dead process, idle sessions swept.
import test from 'ava';
import { openTestPortal, closeTestPortals } from '../support/system.ts';
import { SYNCML_SESSION_IDLE, SyncmlSessions } from '../../core/dispatch/syncml-sessions.ts';

test.after.always(closeTestPortals);

function clock(start = 1_000_000) {
  const c = { now: start, tick: (ms: number) => (c.now += ms) };
  return c;
}

test('a session is taken by one message at a time, and its state is read only by a process that lacks its revision', async (t) => {
  const portal = await openTestPortal();
  const c = clock();
  const here = new SyncmlSessions(portal.dispatch.store, () => c.now);
  const there = new SyncmlSessions(portal.dispatch.store, () => c.now);
  t.is(await here.claim('t1'), undefined, 'unknown');
  t.is(await here.save('t1', 0, '{"a":1}'), 1);
  t.deepEqual(await there.claim('t1'), { revision: 1, state: '{"a":1}' });
  t.is(await here.claim('t1', 1), 'busy', 'while another process answers a message of it');
  t.is(await there.save('t1', 1, '{"a":2}'), 2);
  t.deepEqual(await here.claim('t1', 1), { revision: 2, state: '{"a":2}' }, 'the copy here is stale: the state is read');
  await here.release('t1', 2);
  t.deepEqual(await here.claim('t1', 2), { revision: 2 }, 'the copy here is current: nothing more is read');
});

test('a process that died answering holds its session only until its lease ends, and its late write is refused', async (t) => {
  const portal = await openTestPortal();
  const c = clock();
  const dying = new SyncmlSessions(portal.dispatch.store, () => c.now);
  const other = new SyncmlSessions(portal.dispatch.store, () => c.now);
  await dying.save('t2', 0, '{"n":1}');
  t.truthy(await dying.claim('t2'));
  c.tick(60_000);
  t.is(await other.claim('t2'), 'busy');
  c.tick(2 * 60_000);
  t.deepEqual(await other.claim('t2'), { revision: 1, state: '{"n":1}' });
  t.is(await other.save('t2', 1, '{"n":2}'), 2);
  t.is(await dying.save('t2', 1, '{"n":"late"}'), undefined, 'the late write loses');
  t.deepEqual(await dying.claim('t2'), { revision: 2, state: '{"n":2}' });
});

test('a session idle too long is over, and swept from the store', async (t) => {
  const portal = await openTestPortal();
  const c = clock();
  const sessions = new SyncmlSessions(portal.dispatch.store, () => c.now);
  await sessions.save('old', 0, '{}');
  c.tick(SYNCML_SESSION_IDLE / 2);
  await sessions.save('young', 0, '{}');
  c.tick(SYNCML_SESSION_IDLE / 2 + 1000);
  t.is(await sessions.claim('old'), undefined);
  await sessions.sweep();
  const rows = await portal.dispatch.store.all<{ token: string }>('SELECT token FROM syncml_sessions');
  t.deepEqual(rows.map((r) => r.token), ['young']);
});
