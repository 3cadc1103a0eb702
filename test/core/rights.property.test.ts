// Property: whatever users on several cells share, revoke, lock and unlock, every operation
// succeeds exactly when the rights allow it, checked after every step against a plain model.
import test from 'ava';
import fc from 'fast-check';
import { openTestPortal, closeTestPortals } from '../support/system.ts';
import type { Portal, DbRef } from '../../core/portal.ts';
import type { Access, Actor } from '../../core/cell/cell.ts';
import { CoreError } from '../../core/errors.ts';

test.after.always(closeTestPortals);

const USERS = 3;
const DBS = 3; // database i belongs to user i

type Step =
  | { op: 'read' | 'write' | 'lock' | 'unlock' | 'setLocker'; user: number; db: number }
  | { op: 'share'; user: number; db: number; to: number; right: Access }
  | { op: 'revoke'; user: number; db: number; to: number };

// Half the steps are by the database's owner, so that shares and locks actually happen and the
// steps after them test something.
const who = (db: number) => fc.oneof(fc.constant(db), fc.nat(USERS - 1));
const onDb = <T,>(make: (db: number) => fc.Arbitrary<T>) => fc.nat(DBS - 1).chain(make);
const step: fc.Arbitrary<Step> = fc.oneof(
  onDb((db) => fc.record({ op: fc.constantFrom('read' as const, 'write' as const, 'lock' as const, 'unlock' as const, 'setLocker' as const), user: who(db), db: fc.constant(db) })),
  onDb((db) => fc.record({ op: fc.constant('share' as const), user: who(db), db: fc.constant(db), to: fc.nat(USERS - 1), right: fc.constantFrom<Access>('read', 'write') })),
  onDb((db) => fc.record({ op: fc.constant('revoke' as const), user: who(db), db: fc.constant(db), to: fc.nat(USERS - 1) })),
);

/** The rules, written plainly: what the core must allow. */
class Model {
  shares = Array.from({ length: DBS }, () => new Map<number, Access>());
  locked = new Set<number>();
  lockers = new Set<number>();
  unlocked = new Set<string>(); // `${user}:${db}`

  open(user: number, db: number) {
    return !this.locked.has(db) || this.unlocked.has(`${user}:${db}`);
  }
  allowed(s: Step): boolean {
    const owner = s.user === s.db;
    switch (s.op) {
      case 'read':
        return (owner || this.shares[s.db].has(s.user)) && this.open(s.user, s.db);
      case 'write':
        return (owner || this.shares[s.db].get(s.user) === 'write') && this.open(s.user, s.db);
      case 'share':
        return owner && !this.locked.has(s.db) && s.to !== s.user;
      case 'revoke':
        return owner && this.open(s.user, s.db);
      case 'lock':
        return owner && this.lockers.has(s.user) && this.shares[s.db].size === 0 && this.open(s.user, s.db);
      case 'unlock':
        return this.lockers.has(s.user);
      case 'setLocker':
        return true;
    }
  }
  apply(s: Step) {
    if (s.op === 'share') this.shares[s.db].set(s.to, s.right);
    if (s.op === 'revoke') this.shares[s.db].delete(s.to);
    if (s.op === 'lock') this.locked.add(s.db);
    if (s.op === 'setLocker') this.lockers.add(s.user);
    // An unlock opens whichever database it names, for that user's session (the core checks the owner on use).
    if (s.op === 'unlock') this.unlocked.add(`${s.user}:${s.db}`);
  }
}

test('every operation succeeds exactly when the rights allow it, across cells', async (t) => {
  const portal: Portal = await openTestPortal();
  for (const id of ['c1', 'c2', 'c3']) await portal.addCell(id, 1000);
  let run = 0;

  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 10, maxLength: 40 }), async (steps) => {
      run++;
      const users: Actor[] = [];
      for (let i = 0; i < USERS; i++) users.push(await portal.register(`u${run}x${i}`, 'secret', `U${i}`));
      const refs: DbRef[] = [];
      const fieldOf: number[] = [];
      for (let i = 0; i < DBS; i++) {
        const ref = await portal.createDatabase(users[i], 'Data');
        fieldOf.push((await portal.addField(users[i], ref, { name: 'Note', type: 'text' })).id);
        await portal.createRecord(users[i], ref, { [fieldOf[i]]: `of u${i}` });
        refs.push(ref);
      }
      const model = new Model();
      const actor = (u: number): Actor => ({ ...users[u], unlocked: [...model.unlocked].filter((k) => k.startsWith(`${u}:`)).map((k) => `${refs[Number(k.split(':')[1])].cellId}:${refs[Number(k.split(':')[1])].dbId}`) });

      for (const s of steps) {
        const a = actor(s.user);
        const ref = refs[s.db];
        const attempt = async () => {
          switch (s.op) {
            case 'read':
              return portal.records(a, ref, 0, 10);
            case 'write':
              return portal.createRecord(a, ref, { [fieldOf[s.db]]: 'x' });
            case 'share':
              return portal.share(a, ref, users[s.to].login, s.right);
            case 'revoke':
              return portal.unshare(a, ref, users[s.to].login);
            case 'lock':
              return portal.lock(a, ref);
            case 'unlock':
              return (await portal.cell(a.cellId)).checkLocker(a, 'locker-pass');
            case 'setLocker':
              return portal.setLocker(a, 'locker-pass', 'locker-pass');
          }
        };
        let succeeded = true;
        try {
          await attempt();
        } catch (err) {
          if (!(err instanceof CoreError)) throw err;
          succeeded = false;
        }
        const expected = model.allowed(s);
        if (succeeded !== expected) {
          t.fail(`${JSON.stringify(s)}: the core said ${succeeded ? 'yes' : 'no'}, the rules say ${expected ? 'yes' : 'no'} (cells ${users.map((u) => u.cellId).join(',')})`);
          return false;
        }
        if (expected) model.apply(s);
      }
      return true;
    }),
    { numRuns: 40 },
  );
  t.pass();
});
