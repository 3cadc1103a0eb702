// Sessions: unguessable tokens, idle and absolute expiry, surviving a restart, logout.
import test from 'ava';
import { openTestPortal, closeTestPortals, freshBase } from '../support/system.ts';
import { Sessions } from '../../core/dispatch/sessions.ts';

test.after.always(closeTestPortals);

const LIMITS = { idle: 30 * 60_000, absolute: 12 * 3600_000 };

function clock(start = 1_000_000) {
  const c = { now: start, tick: (ms: number) => (c.now += ms) };
  return c;
}

test('each login gets a fresh 128-bit token and only a hash of it is stored', async (t) => {
  const portal = await openTestPortal();
  const sessions = new Sessions(portal.dispatch.store);
  const a = await sessions.start('ann', 'c1');
  const b = await sessions.start('ann', 'c1');
  t.not(a.token, b.token);
  t.is(Buffer.from(a.token, 'base64url').length, 16);
  const rows = await portal.dispatch.store.all<{ token_hash: string }>('SELECT token_hash FROM sessions');
  t.is(rows.length, 2);
  t.false(rows.some((r) => r.token_hash === a.token || r.token_hash === b.token));
});

test('a session ends after the idle time, and after the absolute time even when used', async (t) => {
  const portal = await openTestPortal();
  const c = clock();
  const sessions = new Sessions(portal.dispatch.store, LIMITS, () => c.now);
  const idle = await sessions.start('ann', 'c1');
  c.tick(LIMITS.idle - 1000);
  t.truthy(await sessions.resume(idle.token), 'still alive just before the idle limit');
  c.tick(LIMITS.idle + 1000);
  t.is(await sessions.resume(idle.token), null, 'idle too long');

  const busy = await sessions.start('bob', 'c1');
  for (let used = 0; used < LIMITS.absolute; used += LIMITS.idle / 2) {
    t.truthy(await sessions.resume(busy.token));
    c.tick(LIMITS.idle / 2);
  }
  c.tick(1000);
  t.is(await sessions.resume(busy.token), null, 'too old, however busy');
});

test('a restart logs nobody out, and logout ends the session everywhere', async (t) => {
  const base = freshBase();
  const first = await openTestPortal(undefined, base);
  const s = await first.sessions.start('ann', 'c1');
  const second = await openTestPortal(undefined, base);
  t.like(await second.sessions.resume(s.token), { login: 'ann', cellId: 'c1' });
  await second.sessions.end(s.token);
  const third = await openTestPortal(undefined, base);
  t.is(await third.sessions.resume(s.token), null);
});

test('a malformed or unknown token is no session', async (t) => {
  const portal = await openTestPortal();
  for (const token of ['', 'short', 'x'.repeat(22), "' OR 1=1 --aaaaaaaaaaaa", 'A'.repeat(200)]) {
    t.is(await portal.sessions.resume(token), null, token);
  }
});
