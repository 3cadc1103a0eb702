// Moving an owner, with their shared databases, to another cell while everyone keeps working
// (seed 000, paragraph 64: "the identification of the cell which hosts the owner of the data
// which is moved" changes in the dispatch). A database lives on its owner's cell, so the owner
// moves with it. The steps, each one safe to repeat:
//   1. claim the move in the dispatch (one mover per owner);
//   2. copy passes while writes go on, until a pass finds little new (cell/export.ts);
//   3. the last pass in a transaction on the source: writers there wait, then find the data gone
//      and follow the tombstones to the new place (follow.ts), so no write is lost or made twice;
//   4. the dispatch points the login at the new cell; the owner's sessions follow, with their
//      unlocked databases under the new ids; the permission lists on other cells are rewritten;
//   5. the moved bulk is deleted from the source.
import type { Portal } from '../portal.ts';
import { OwnerCopy, purgeDatabases, type Moved } from '../cell/export.ts';
import { CoreError, conflict, invalid, notFound } from '../errors.ts';
import { DuplicateKeyError } from '../store/store.ts';
import type { DbRef } from './follow.ts';
import { normalLogin } from './dispatch.ts';
import { movedUser } from '../cell/tombstone.ts';

export type Progress = (line: string) => void;

export interface MoveResult {
  login: string;
  from: string;
  to: string;
  /** Records written to the target, counting those written again because they changed meanwhile. */
  records: number;
  dbs: { from: DbRef; to: DbRef }[];
  seconds: number;
}

/** Passes before the last one, at most: a writer that never pauses must not keep the move going. */
const MAX_PASSES = 5;
/** A pass that wrote no more than this leaves the rest to the last pass, under the lock. */
const SMALL_PASS = 200;
/** A claimed move not advanced for this long was broken off (its process died): another may take it over. */
const STALE_MOVE = 10 * 60_000;

/** Moves `rawLogin` (with all their databases) to cell `toCell`, reporting each step to `progress`. */
export async function moveOwner(portal: Portal, rawLogin: string, toCell: string, progress: Progress = () => {}): Promise<MoveResult> {
  const started = performance.now();
  const login = normalLogin(rawLogin);
  portal.dispatch.forget(login);
  const from = await portal.dispatch.locate(login);
  const source = await portal.cell(from);
  const switched = await movedUser(source.store, login);
  if (switched) return resume(portal, login, from, switched, progress, started);
  const target = await portal.dispatch.cell(toCell);
  if (!target) throw notFound(`There is no cell "${toCell}".`);
  if (from === toCell) throw invalid(`${login} is on cell ${toCell} already.`);
  if (target.userCount >= target.capacity) throw conflict(`Cell ${toCell} is full (${target.userCount}/${target.capacity} users).`);
  await claim(portal, login, from, toCell);
  const copy = new OwnerCopy(login, source.store, (await portal.cell(toCell)).store);
  let moved: Moved;
  try {
    await copy.clearLeftovers();
    progress(`moving ${login} from ${from} to ${toCell}`);
    for (let pass = 1; pass <= MAX_PASSES; pass++) {
      const written = await copy.pass(source.store);
      progress(`pass ${pass}: ${written} records copied (${copy.written} in all)`);
      await advance(portal, login, 'copying', copy.written);
      if (pass > 1 && written <= SMALL_PASS) break;
    }
    moved = await source.store.transaction((tx) => copy.finish(tx, toCell));
  } catch (err) {
    progress(`move of ${login} broken off: ${(err as Error).message}; the copy on ${toCell} is removed, ${login} stays on ${from}`);
    await copy.discard().catch(() => {});
    await portal.dispatch.store.run('DELETE FROM moves WHERE login = ?', [login]);
    throw err;
  }
  progress(`last pass done: ${copy.written} records in all; ${login} now lives on ${toCell}`);
  return afterSwitch(portal, login, from, toCell, moved, copy.written, progress, started);
}

/** What follows the switch: the dispatch, the sessions, the other cells' lists, the clean-up. */
async function afterSwitch(portal: Portal, login: string, from: string, to: string, moved: Moved, records: number, progress: Progress, started: number): Promise<MoveResult> {
  await portal.dispatch.relocate(login, from, to);
  const renamed = new Map(moved.dbs.map((d) => [`${from}:${d.from}`, `${to}:${d.to}`]));
  await portal.sessions.follow(login, to, (key) => renamed.get(key) ?? key);
  await advance(portal, login, 'switched', records);
  progress('dispatch and sessions updated');

  await rewriteLists(portal, login, from, to, moved, progress);
  await purgeDatabases((await portal.cell(from)).store, moved.dbs.map((d) => d.from));
  await advance(portal, login, 'done', records);
  progress(`old copy removed from ${from}`);
  return {
    login,
    from,
    to,
    records,
    dbs: moved.dbs.map((d) => ({ from: { cellId: from, dbId: d.from }, to: { cellId: to, dbId: d.to } })),
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * A move whose process died after the switch: the old cell's tombstones say where everything
 * went, and the steps after the switch run again from them.
 */
async function resume(portal: Portal, login: string, from: string, to: string, progress: Progress, started: number): Promise<MoveResult> {
  progress(`${login} was switched from ${from} to ${to} by a move that did not finish: finishing it`);
  const source = (await portal.cell(from)).store;
  const target = (await portal.cell(to)).store;
  const dbs = (
    await source.all<{ db_id: number; to_db: number }>('SELECT d.db_id, d.to_db FROM moved_dbs d JOIN moved_users u ON u.moved_at = d.moved_at AND u.to_cell = d.to_cell WHERE u.login = ?', [login])
  ).map((r) => ({ from: Number(r.db_id), to: Number(r.to_db) }));
  const oldId = new Map(dbs.map((d) => [d.to, d.from]));
  const grantees = dbs.length
    ? (await target.all<{ db_id: number; grantee: string }>(`SELECT db_id, grantee FROM permissions WHERE db_id IN (${dbs.map(() => '?').join(', ')})`, dbs.map((d) => d.to))).map((r) => ({ dbId: oldId.get(Number(r.db_id))!, login: r.grantee }))
    : [];
  const sharedWithMe = (await target.all<{ owner_cell: string; db_id: number }>('SELECT owner_cell, db_id FROM shared_with_me WHERE login = ?', [login])).map((r) => ({ ownerCell: r.owner_cell, dbId: Number(r.db_id) }));
  await portal.dispatch.store.run('DELETE FROM moves WHERE login = ?', [login]);
  await claim(portal, login, from, to);
  return afterSwitch(portal, login, from, to, { dbs, grantees, sharedWithMe }, 0, progress, started);
}

/** The move's row in the dispatch: one mover per owner; a finished or long-broken one gives way. */
async function claim(portal: Portal, login: string, from: string, to: string): Promise<void> {
  const now = Date.now();
  const store = portal.dispatch.store;
  await store.run("DELETE FROM moves WHERE login = ? AND (state = 'done' OR updated_at < ?)", [login, now - STALE_MOVE]);
  try {
    await store.run("INSERT INTO moves (login, from_cell, to_cell, state, records, started_at, updated_at) VALUES (?, ?, ?, 'copying', 0, ?, ?)", [login, from, to, now, now]);
  } catch (err) {
    if (err instanceof DuplicateKeyError) throw conflict(`${login} is being moved already.`);
    throw err;
  }
}

async function advance(portal: Portal, login: string, state: string, records: number): Promise<void> {
  await portal.dispatch.store.run('UPDATE moves SET state = ?, records = ?, updated_at = ? WHERE login = ?', [state, records, Date.now(), login]);
}

/**
 * The other cells' side of the permission database: grantees' lists point at the new place, and
 * the permissions others gave the owner name the owner's new cell. A cell out of reach keeps its
 * old entries, which its tombstones still lead from.
 */
async function rewriteLists(portal: Portal, login: string, from: string, to: string, moved: Moved, progress: Progress): Promise<void> {
  const newId = new Map(moved.dbs.map((d) => [d.from, d.to]));
  const attempt = async (what: string, work: () => Promise<unknown>) => {
    try {
      await work();
    } catch (err) {
      if (!(err instanceof CoreError)) throw err;
      progress(`${what}: ${err.message} (left to the tombstone)`);
    }
  };
  for (const g of moved.grantees) {
    await attempt(`the list of ${g.login}`, async () => {
      const cell = await portal.cell(await portal.dispatch.locate(g.login));
      await cell.store.run('UPDATE shared_with_me SET owner_cell = ?, db_id = ? WHERE login = ? AND owner_cell = ? AND db_id = ?', [to, newId.get(g.dbId)!, g.login, from, g.dbId]);
    });
  }
  for (const s of moved.sharedWithMe) {
    await attempt(`a permission on ${s.ownerCell}`, async () => {
      const cell = await portal.cell(s.ownerCell);
      await cell.store.run('UPDATE permissions SET grantee_cell = ? WHERE db_id = ? AND grantee = ?', [to, s.dbId, login]);
    });
  }
  progress(`permission lists updated (${moved.grantees.length} grantees, ${moved.sharedWithMe.length} databases shared with ${login})`);
}
