// The operator's commands for growing the system (issue 8): adding a cell, moving a user with
// progress output, measuring, and a watchdog round, over the stores the configuration names.
import test from 'ava';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { closeTestPortals, freshBase } from '../support/system.ts';
import { freshDir, freshStoreUrl, storeKind } from '../support/stores.ts';

test.after.always(closeTestPortals);

const ROOT = join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

test('add-cell, move with progress, load and rebalance through the admin command', async (t) => {
  const base = freshBase();
  // The new cell is named in CELL_STORES, on a store of the other kind when the tests run on MariaDB.
  const c3 = storeKind() === 'mysql' ? `sqlite:${freshDir('admin')}/c3.sqlite` : freshStoreUrl('admin-c3');
  const env = { ...process.env, STORE_URL: base, DATA_DIR: freshDir('admin-data'), CELL_STORES: '', REBALANCE_MAX_SHARED_BYTES: '100' };
  const admin = async (...args: string[]) => (await run(process.execPath, ['core/admin.ts', ...args], { cwd: ROOT, env, encoding: 'utf8' })).stdout;

  t.regex(await admin('demo'), /demo created/);
  t.regex(await admin('add-cell', 'c3', '10', c3), /cell c3 added \(capacity 10/);
  const dup = await t.throwsAsync(admin('add-cell', 'c3', '10'));
  t.regex(String((dup as { stderr?: string }).stderr), /already a cell "c3"/);
  t.regex(await admin('add-user', 'zoe', 'zoe-pass', 'Zoe'), /user zoe created on cell c3/, 'the new cell takes the next user');
  t.regex(await admin('cells'), /c3\t1\/10 users/);

  const moved = await admin('move', 'demo', 'c3');
  t.regex(moved, /moving demo from c1 to c3\npass 1: 6 records copied/);
  t.regex(moved, /dispatch and sessions updated/);
  t.regex(moved, /moved demo from c1 to c3: 1 databases, \d+ records written/);
  t.regex(await admin('cells'), /c1\t0\/1000 users[\s\S]*c3\t2\/10 users/);

  const load = await admin('load');
  t.regex(load, /c2\t[\d.]+ ops\/min\t\d+ shared bytes\t0 clients\t1\/1000 users/);
  const round = await admin('rebalance');
  t.regex(round, /c2: .*shared bytes/);
  t.regex(round, /rebalanced: \d+ owners moved/);
  const err = await t.throwsAsync(admin('move', 'demo', 'nowhere'));
  t.regex(String((err as { stderr?: string }).stderr), /error: There is no cell "nowhere"/);
});
