// Moving an owner with their shared databases to a new cell while users keep writing (issue 8),
// on whichever store TEST_STORE selects (on MariaDB every cell is its own database).
import test from 'ava';
import { closeTestPortals, kindOf, openSystem, openTestPortal } from '../support/system.ts';
import { moveOwner } from '../../core/dispatch/move.ts';
import { MovedError, type DbRef, type Portal } from '../../core/portal.ts';
import type { Actor } from '../../core/cell/cell.ts';

test.after.always(closeTestPortals);

const SEEDED = 300;

/** olga (c1) owns Notes, shared with rita (c2, write) and ron (c1, read), and a locked Diary. */
async function system() {
  const { portal, base, users: [olga, rita, ron] } = await openSystem({ c1: undefined, c2: undefined }, ['olga', 'rita', 'ron']);
  const notes = await portal.createDatabase(olga, 'Notes');
  const text = (await portal.addField(olga, notes, { name: 'Note', type: 'text' })).id;
  const n = (await portal.addField(olga, notes, { name: 'N', type: 'number' })).id;
  await portal.importRecords(olga, notes, Array.from({ length: SEEDED }, (_, i) => ({ [text]: `seed ${i}`, [n]: String(i) })));
  await portal.share(olga, notes, 'rita', 'write');
  await portal.share(olga, notes, 'ron', 'read');
  const diary = await portal.createDatabase(olga, 'Diary');
  await portal.addField(olga, diary, { name: 'Entry', type: 'text' });
  await portal.setLocker(olga, 'locker-pass');
  await portal.lock(olga, diary);
  return { portal, base, olga, rita, ron, notes, diary, f: { text, n } };
}

async function allRecords(portal: Portal, actor: Actor, ref: DbRef) {
  const { items } = await portal.records(actor, ref, 0, 100_000);
  return items;
}

test('an owner moves to a new cell while two users write: every write is there once, every permission holds', async (t) => {
  const { portal, olga, rita, ron, notes, diary, f } = await system();
  await portal.addCell('c3', 100);
  t.is((await portal.dispatch.cell('c3'))?.userCount, 0);
  const { session } = await portal.login('olga', 'olga-pass');
  const unlocked = await portal.unlock(session, diary, 'locker-pass');

  const seedIds = (await allRecords(portal, olga, notes)).map((r) => r.id);
  const lines: string[] = [];
  let moving = true;
  const written: string[] = [];
  // Both writers keep the address they had before the move (as a page rendered then would).
  const writer = async (actor: Actor, name: string) => {
    const started = Date.now();
    for (let i = 0; (moving || i < 20) && i < 400 && Date.now() - started < 20_000; i++) {
      const marker = `${name} ${i}`;
      await portal.createRecord(actor, notes, { [f.text]: marker, [f.n]: String(i) });
      await portal.updateRecord(actor, notes, seedIds[i % SEEDED], { [f.text]: `seed ${i % SEEDED} by ${name}` });
      written.push(marker);
    }
  };
  const move = moveOwner(portal, 'olga', 'c3', (line) => lines.push(line)).finally(() => (moving = false));
  const [result] = await Promise.all([move, writer(olga, 'olga'), writer(rita, 'rita')]);

  t.is(result.from, 'c1');
  t.is(result.to, 'c3');
  t.regex(lines.join('\n'), /pass 1: \d+ records copied/);
  t.regex(lines.join('\n'), /now lives on c3/);
  t.is(await portal.locate('olga'), 'c3');
  const cells = Object.fromEntries((await portal.dispatch.cells()).map((c) => [c.id, c.userCount]));
  t.deepEqual(cells, { c1: 1, c2: 1, c3: 1 });

  // The owner's list, at the new place, after a fresh login.
  const again = await portal.login('olga', 'olga-pass');
  t.is(again.user.cellId, 'c3');
  const home = await portal.databases(portal.actorOf(again.session));
  const moved = home.find((d) => d.name === 'Notes')!;
  t.is(moved.cellId, 'c3');
  const records = await allRecords(portal, portal.actorOf(again.session), moved);
  const texts = records.map((r) => String(r.values[Object.keys(r.values).find((k) => typeof r.values[k] === 'string')!]));
  for (const marker of written) t.is(texts.filter((x) => x === marker).length, 1, `${marker} is there exactly once`);
  t.is(records.length, SEEDED + written.length, 'nothing else was added');
  t.true(written.length >= 40, `the writers went on during the move (${written.length} writes)`);

  // Every permission holds: rita writes, ron reads but may not write, both list the new place.
  const ritaList = await portal.databases(rita);
  t.deepEqual(ritaList.map((d) => [d.cellId, d.dbId, d.right]), [['c3', moved.dbId, 'write']]);
  const ronList = await portal.databases(ron);
  t.deepEqual(ronList.map((d) => [d.cellId, d.dbId, d.right]), [['c3', moved.dbId, 'read']]);
  const newFields = (await portal.database(rita, moved)).fields;
  t.is(await kindOf(portal.createRecord(rita, moved, { [newFields[0].id]: 'rita after' })), 'ok');
  t.is(await kindOf(portal.createRecord(ron, moved, { [newFields[0].id]: 'ron after' })), 'forbidden');
  t.is((await portal.records(ron, moved, 0, 1)).items.length, 1);
  const olgaNow = portal.actorOf(again.session);
  t.deepEqual((await portal.shares(olgaNow, moved)).map((s) => [s.login, s.right]), [['rita', 'write'], ['ron', 'read']]);

  // The session in flight followed, its open locker too; the locked diary stays locked for the others.
  const followed = await portal.sessions.resume(unlocked.token);
  t.is(followed?.cellId, 'c3');
  const newDiary = home.find((d) => d.name === 'Diary')!;
  t.deepEqual(Object.keys(followed!.unlocks), [`c3:${newDiary.dbId}`]);
  t.is(await kindOf(portal.database(portal.actorOf(followed!), newDiary)), 'ok');
  t.is(await kindOf(portal.database(olgaNow, newDiary)), 'locked');
  t.true(await portal.hasLocker(olgaNow));

  // Nothing is left behind on the old cell but tombstones.
  const c1 = (await portal.cell('c1')).store;
  t.is((await c1.get<{ n: number }>('SELECT COUNT(*) AS n FROM records WHERE db_id = ?', [notes.dbId]))?.n, 0);
  t.is((await c1.get<{ n: number }>("SELECT COUNT(*) AS n FROM users WHERE login = 'olga'"))?.n, 0);
});

test('a process with stale caches follows the tombstones: login, home, reads and writes with old ids', async (t) => {
  const { portal, base, olga, rita, notes, f } = await system();
  await portal.addCell('c3', 100);
  // Another gateway process: its directory and session caches learned where olga was.
  const other = await openTestPortal({}, base);
  const { session } = await other.login('olga', 'olga-pass');
  t.is(await other.locate('olga'), 'c1');
  const oldRecord = (await other.records(olga, notes, 0, 1)).items[0].id;

  await moveOwner(portal, 'olga', 'c3');

  t.is((await other.login('olga', 'olga-pass')).user.cellId, 'c3', 'the stale directory entry is detected and refreshed');
  t.is(await other.locate('olga'), 'c3');
  const stale = other.actorOf(session);
  t.deepEqual((await other.databases(stale)).map((d) => [d.name, d.cellId]), [['Diary', 'c3'], ['Notes', 'c3']]);
  const err = await t.throwsAsync(other.records(rita, notes, 0, 10));
  t.true(err instanceof MovedError);
  const to = (err as MovedError).to;
  t.is(to.cellId, 'c3');
  // A form rendered before the move: old field ids, old record id.
  await other.updateRecord(rita, notes, oldRecord, { [f.text]: 'edited after the move' });
  const id = await other.createRecord(stale, notes, { [f.text]: 'typed before, sent after', [f.n]: '7' });
  const { record } = await portal.record(rita, to, id);
  t.deepEqual(Object.values(record.values).sort(), [7, 'typed before, sent after']);
  const found = await portal.search(rita, to, { fieldId: (await portal.database(rita, to)).fields[0].id, op: 'eq', operand: 'edited after the move' }, 0, 10);
  t.is(found.items.length, 1);
  t.is(await kindOf(other.deleteRecord(stale, notes, 999_999)), 'not-found', 'an id the database never had is still not found');
  t.is(await kindOf(other.login('olga', 'wrong')), 'bad-password');
});

test('a move is refused to a full or unknown cell, to the same cell, and leaves the owner where they were', async (t) => {
  const { portal, olga, notes } = await system();
  await portal.addCell('c3', 1);
  await portal.register('zed', 'zed-pass', 'zed');
  t.is((await portal.dispatch.cell('c3'))?.userCount, 1);
  t.is(await kindOf(moveOwner(portal, 'olga', 'c3')), 'conflict');
  t.is(await kindOf(moveOwner(portal, 'olga', 'c9')), 'not-found');
  t.is(await kindOf(moveOwner(portal, 'olga', 'c1')), 'invalid');
  t.is(await kindOf(moveOwner(portal, 'nobody', 'c2')), 'unknown-login');
  t.is(await portal.locate('olga'), 'c1');
  t.is((await portal.records(olga, notes, 0, 1000)).items.length, SEEDED);
});

test('a move whose process died after the switch is finished by running it again', async (t) => {
  const { portal, olga, rita, notes } = await system();
  await portal.addCell('c3', 100);
  const relocate = portal.dispatch.relocate;
  portal.dispatch.relocate = async () => {
    throw new Error('the mover died here');
  };
  await t.throwsAsync(moveOwner(portal, 'olga', 'c3'), { message: /died here/ });
  portal.dispatch.relocate = relocate;
  t.is(await portal.dispatch.store.get('SELECT cell_id FROM directory WHERE login = ?', ['olga']).then((r) => r?.cell_id), 'c1', 'the dispatch was not told');
  t.is((await portal.databases(olga)).find((d) => d.name === 'Notes')?.cellId, 'c3', 'the tombstones lead there meanwhile');

  const lines: string[] = [];
  const result = await moveOwner(portal, 'olga', 'c2', (line) => lines.push(line));
  t.regex(lines[0], /switched from c1 to c3 by a move that did not finish/);
  t.is(result.to, 'c3', 'it finishes the move it found, wherever it was asked to go');
  t.is(await portal.locate('olga'), 'c3');
  t.deepEqual((await portal.databases(rita)).map((d) => d.cellId), ['c3']);
  const c1 = (await portal.cell('c1')).store;
  t.is((await c1.get<{ n: number }>('SELECT COUNT(*) AS n FROM records WHERE db_id = ?', [notes.dbId]))?.n, 0);
  t.deepEqual(Object.fromEntries((await portal.dispatch.cells()).map((c) => [c.id, c.userCount])), { c1: 1, c2: 1, c3: 1 });
});

test('a locker changed or opened through the address from before the move takes effect at the new place', async (t) => {
  const { portal, olga, diary } = await system();
  await portal.addCell('c3', 100);
  const { session } = await portal.login('olga', 'olga-pass');
  await moveOwner(portal, 'olga', 'c3');
  // olga's actor still says c1, and the diary's address is the old one.
  const unlocked = await portal.unlock(session, diary, 'locker-pass');
  const newDiary = (await portal.databases(olga)).find((d) => d.name === 'Diary')!;
  t.deepEqual(Object.keys(unlocked.unlocks), [`c3:${newDiary.dbId}`]);
  t.is(await kindOf(portal.database(portal.actorOf(unlocked), newDiary)), 'ok');
  await portal.setLocker(olga, 'new-locker', 'locker-pass');
  t.is(await kindOf(portal.unlock(unlocked, newDiary, 'locker-pass')), 'bad-password');
  t.is(await kindOf(portal.unlock(unlocked, newDiary, 'new-locker')), 'ok');
});
