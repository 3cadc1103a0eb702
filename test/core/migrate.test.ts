// Schema migrations run forward once, and a store written by a newer program is refused.
import test from 'ava';
import { openStore } from '../../core/store/open.ts';
import { migrate, SchemaTooNewError, type Migration } from '../../core/store/migrate.ts';
import { freshStoreUrl, cleanupStores } from '../support/stores.ts';

test.after.always(cleanupStores);

const V1: Migration = (t) => [`CREATE TABLE notes (id ${t.id}, body ${t.text} NOT NULL)${t.tableSuffix}`];
const V2: Migration = () => [`ALTER TABLE notes ADD COLUMN stars INTEGER NOT NULL DEFAULT 0`];

test('migrations run forward, once each, keeping the data', async (t) => {
  const store = await openStore(freshStoreUrl('migrate'));
  try {
    await migrate(store, 'notes', [V1]);
    await store.run('INSERT INTO notes (body) VALUES (?)', ['kept']);
    await migrate(store, 'notes', [V1]);
    await migrate(store, 'notes', [V1, V2]);
    await migrate(store, 'notes', [V1, V2]);
    t.deepEqual(await store.all('SELECT body, stars FROM notes'), [{ body: 'kept', stars: 0 }]);
  } finally {
    await store.close();
  }
});

test('a store at a newer schema than the program knows is refused', async (t) => {
  const store = await openStore(freshStoreUrl('migrate-new'));
  try {
    await migrate(store, 'notes', [V1, V2]);
    const err = await t.throwsAsync(migrate(store, 'notes', [V1]), { instanceOf: SchemaTooNewError });
    t.regex(err!.message, /schema version 2, newer than this program knows \(1\)/);
  } finally {
    await store.close();
  }
});
