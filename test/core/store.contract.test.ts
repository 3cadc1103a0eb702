// What every Store promises, checked against the store TEST_STORE selects (SQLite by default).
import test, { type ExecutionContext } from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { openStore } from '../../core/store/open.ts';
import { DuplicateKeyError, type Store } from '../../core/store/store.ts';
import { cleanupStores, freshStoreUrl } from '../support/stores.ts';

test.after.always(cleanupStores);

const SCRATCH = {
  sqlite: 'CREATE TABLE scratch (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT UNIQUE, txt TEXT, n INTEGER, x REAL, b BLOB)',
  mysql:
    'CREATE TABLE scratch (id BIGINT PRIMARY KEY AUTO_INCREMENT, name VARCHAR(191) COLLATE utf8mb4_bin UNIQUE, txt LONGTEXT COLLATE utf8mb4_bin,' +
    ' n BIGINT, x DOUBLE, b LONGBLOB) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin',
};

/** A brand-new store holding one empty `scratch` table, closed when the test ends. */
async function scratch(t: ExecutionContext): Promise<Store> {
  const store = await openStore(freshStoreUrl('contract'));
  t.teardown(() => store.close());
  await store.run(SCRATCH[store.dialect]);
  return store;
}

async function texts(store: Store, sql: string, params: string[] = []): Promise<string[]> {
  return (await store.all<{ txt: string }>(sql, params)).map((r) => r.txt);
}

test('text comes back exactly as written', async (t) => {
  const store = await scratch(t);
  const samples = ['plain', '', '日本語のテキスト', 'emoji 😀👍🏽', 'dollars $1 $& $$', `quotes ' " \` and \\ backslash`, '長い😀text$'.repeat(10_000)];
  t.true(Buffer.byteLength(samples.at(-1)!) > 100 * 1024);
  for (const txt of samples) {
    const { lastId } = await store.run('INSERT INTO scratch (txt) VALUES (?)', [txt]);
    t.is((await store.get<{ txt: string }>('SELECT txt FROM scratch WHERE id = ?', [lastId]))?.txt, txt);
  }
  t.deepEqual(await texts(store, 'SELECT txt FROM scratch ORDER BY id'), samples);
});

test('integers, doubles and NULL come back as numbers and null', async (t) => {
  const store = await scratch(t);
  const rows = [
    { n: 0, x: 0.1 },
    { n: -1, x: -2.5 },
    { n: Number.MAX_SAFE_INTEGER, x: 1e300 },
    { n: 1234567, x: 3 },
    { n: null, x: null },
  ];
  for (const r of rows) await store.run('INSERT INTO scratch (n, x) VALUES (?, ?)', [r.n, r.x]);
  t.deepEqual(await store.all('SELECT n, x FROM scratch ORDER BY id'), rows);
  // Aggregates, with and without parameters, are numbers too.
  t.deepEqual(await store.get('SELECT COUNT(*) AS c, SUM(x) AS s FROM scratch WHERE n > ?', [0]), { c: 2, s: 1e300 + 3 });
  t.deepEqual(await store.get('SELECT COUNT(n) AS c, MAX(n) AS m FROM scratch'), { c: 4, m: Number.MAX_SAFE_INTEGER });
});

test('bytes come back as the same bytes', async (t) => {
  const store = await scratch(t);
  const bytes = new Uint8Array([0, 255, 1, 128, 0]);
  await store.run('INSERT INTO scratch (b) VALUES (?)', [bytes]);
  const { b } = (await store.get<{ b: Uint8Array }>('SELECT b FROM scratch'))!;
  t.true(b instanceof Uint8Array);
  t.deepEqual(Uint8Array.from(b), bytes);
});

test('run tells the id of an insert and how many rows a statement changed', async (t) => {
  const store = await scratch(t);
  t.deepEqual(await store.run('INSERT INTO scratch (n) VALUES (?)', [5]), { changes: 1, lastId: 1 });
  t.deepEqual(await store.run('INSERT INTO scratch (n) VALUES (?)', [5]), { changes: 1, lastId: 2 });
  t.is((await store.run('UPDATE scratch SET n = ? WHERE n = ?', [6, 5])).changes, 2);
  // A row set to the value it already had still counts as changed.
  t.is((await store.run('UPDATE scratch SET n = ? WHERE id = ?', [6, 1])).changes, 1);
  t.is((await store.run('UPDATE scratch SET n = ? WHERE n = ?', [7, 99])).changes, 0);
  t.is((await store.run('DELETE FROM scratch WHERE id = ?', [2])).changes, 1);
});

test('a UNIQUE violation throws DuplicateKeyError, other failures do not', async (t) => {
  const store = await scratch(t);
  await store.run('INSERT INTO scratch (name) VALUES (?)', ['alice']);
  await t.throwsAsync(store.run('INSERT INTO scratch (name) VALUES (?)', ['alice']), { instanceOf: DuplicateKeyError });
  const other = await t.throwsAsync(store.run('INSERT INTO no_such_table (name) VALUES (?)', ['bob']));
  t.false(other instanceof DuplicateKeyError);
  t.is((await store.all('SELECT id FROM scratch')).length, 1);
});

test('a transaction commits everything it did and returns what fn returned', async (t) => {
  const store = await scratch(t);
  const result = await store.transaction(async (tx) => {
    await tx.run('INSERT INTO scratch (txt) VALUES (?)', ['one']);
    await tx.run('INSERT INTO scratch (txt) VALUES (?)', ['two']);
    return 'done';
  });
  t.is(result, 'done');
  t.deepEqual(await texts(store, 'SELECT txt FROM scratch ORDER BY id'), ['one', 'two']);
});

test('a transaction that throws leaves nothing behind', async (t) => {
  const store = await scratch(t);
  await store.run('INSERT INTO scratch (txt) VALUES (?)', ['before']);
  const failure = new Error('changed my mind');
  const thrown = await t.throwsAsync(
    store.transaction(async (tx) => {
      await tx.run('INSERT INTO scratch (txt) VALUES (?)', ['inside']);
      await tx.run('UPDATE scratch SET txt = ? WHERE txt = ?', ['edited', 'before']);
      t.deepEqual(await texts(tx, 'SELECT txt FROM scratch ORDER BY id'), ['edited', 'inside']);
      throw failure;
    }),
  );
  t.is(thrown, failure);
  t.deepEqual(await texts(store, 'SELECT txt FROM scratch ORDER BY id'), ['before']);
});

test('a statement outside an open transaction is not rolled back with it', async (t) => {
  const store = await scratch(t);
  let inside!: () => void;
  const begun = new Promise<void>((resolve) => (inside = resolve));
  let finish!: () => void;
  const released = new Promise<void>((resolve) => (finish = resolve));
  const rolledBack = store.transaction(async (tx) => {
    await tx.run('INSERT INTO scratch (txt) VALUES (?)', ['inside']);
    inside();
    await released;
    throw new Error('roll back');
  });
  await begun;
  const outside = store.run('INSERT INTO scratch (txt) VALUES (?)', ['outside']);
  // A store may hold outside statements until the transaction ends (SQLite does), so wait for it only so long.
  await Promise.race([outside, sleep(200)]);
  finish();
  await t.throwsAsync(rolledBack, { message: 'roll back' });
  await outside;
  t.deepEqual(await texts(store, 'SELECT txt FROM scratch'), ['outside']);
});

test('50 concurrent read-then-write transactions on one counter end at exactly 50', async (t) => {
  const store = await scratch(t);
  await store.run('CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER NOT NULL)');
  await store.run('INSERT INTO counter (id, n) VALUES (1, 0)');
  await Promise.all(
    Array.from({ length: 50 }, () =>
      store.transaction(async (tx) => {
        const { n } = (await tx.get<{ n: number }>('SELECT n FROM counter WHERE id = ?', [1]))!;
        await sleep(1); // let the others run between the read and the write
        await tx.run('UPDATE counter SET n = ? WHERE id = ?', [n + 1, 1]);
      }),
    ),
  );
  t.is((await store.get<{ n: number }>('SELECT n FROM counter WHERE id = ?', [1]))?.n, 50);
});

test('text sorts and compares by code point', async (t) => {
  const store = await scratch(t);
  for (const txt of ['日', 'a', '😀', 'é', 'B', 'ｚ', 'b', 'e', 'Z']) await store.run('INSERT INTO scratch (txt) VALUES (?)', [txt]);
  // Code point order, not UTF-16 order: U+FF5A 'ｚ' before U+1F600 '😀'.
  t.deepEqual(await texts(store, 'SELECT txt FROM scratch ORDER BY txt'), ['B', 'Z', 'a', 'b', 'e', 'é', '日', 'ｚ', '😀']);
  // Equality ignores neither case nor accents.
  t.deepEqual(await texts(store, 'SELECT txt FROM scratch WHERE txt = ? OR txt = ?', ['b', 'e']).then((a) => a.sort()), ['b', 'e']);
  t.deepEqual(await texts(store, 'SELECT txt FROM scratch WHERE txt > ? AND txt < ? ORDER BY txt', ['a', 'é']), ['b', 'e']);
});

test('a prefix range up to prefix + U+10FFFF finds exactly the texts starting with the prefix', async (t) => {
  const store = await scratch(t);
  const all = ['ap', 'apo', 'app', 'apple', 'application', 'app日本', 'app😀', 'apq', 'APPLE', 'b', 'Japp'];
  for (const txt of all) await store.run('INSERT INTO scratch (txt) VALUES (?)', [txt]);
  const prefix = 'app';
  const found = await texts(store, 'SELECT txt FROM scratch WHERE txt >= ? AND txt < ? ORDER BY txt', [prefix, prefix + '\u{10FFFF}']);
  t.deepEqual(found, ['app', 'apple', 'application', 'app日本', 'app😀']);
});

test("LIKE with ESCAPE '\\' matches escaped % and _ literally", async (t) => {
  const store = await scratch(t);
  for (const txt of ['100%', '1000', '100 percent', 'a_b', 'axb', 'a\\b']) await store.run('INSERT INTO scratch (txt) VALUES (?)', [txt]);
  const like = (pattern: string) => texts(store, "SELECT txt FROM scratch WHERE txt LIKE ? ESCAPE '\\' ORDER BY id", [pattern]);
  t.deepEqual(await like('100\\%'), ['100%']);
  t.deepEqual(await like('100%'), ['100%', '1000', '100 percent']);
  t.deepEqual(await like('a\\_b'), ['a_b']);
  t.deepEqual(await like('a_b'), ['a_b', 'axb', 'a\\b']);
  t.deepEqual(await like('%\\\\%'), ['a\\b']);
});
