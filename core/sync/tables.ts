// The sync tables are migrated once per cell store, on first use by any sync module (and the
// portal passwords stored before they were sealed get sealed then).
import type { Store } from '../store/store.ts';
import { migrate } from '../store/migrate.ts';
import { SYNC_MIGRATIONS } from './schema.ts';
import { sealClearPasswords } from './backfill.ts';

const migrated = new WeakMap<Store, Promise<void>>();

export function syncTables(store: Store): Promise<void> {
  let done = migrated.get(store);
  if (!done) {
    done = migrate(store, 'sync', SYNC_MIGRATIONS).then(() => sealClearPasswords(store));
    done.catch(() => migrated.delete(store));
    migrated.set(store, done);
  }
  return done;
}
