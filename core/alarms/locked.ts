// Alarms of a database in the locker say nothing of it: on the alarms pages until the database is
// opened in the session, and always in email and SMS (they leave the gateway). The notice and the
// watch keep the real title, so it shows again once the database is open or out of the locker.
import type { Store } from '../store/store.ts';

export const LOCKED_TITLE = 'An alarm in a locked database';

/** The `<cell>:<db>` a record alarm's link points into (`d/c1/3/r/7`); undefined for reminders. */
const lockerKey = (link: string) => /^d\/([^/]+)\/(\d+)\/r\//.exec(link)?.slice(1, 3).join(':');

/**
 * The items with the title of every alarm in a locked database (of this store) replaced, unless
 * the database is among `unlocked` (`<cell>:<db>`, as the session keeps them).
 */
export async function hideLocked<T extends { title: string; link: string }>(store: Store, items: readonly T[], unlocked: readonly string[] = []): Promise<T[]> {
  const dbIds = [...new Set(items.flatMap((i) => lockerKey(i.link)?.split(':')[1] ?? []))];
  if (dbIds.length === 0) return [...items];
  const rows = await store.all<{ id: number }>(`SELECT id FROM dbs WHERE locked = 1 AND id IN (${dbIds.map(() => '?').join(', ')})`, dbIds);
  const locked = new Set(rows.map((r) => String(r.id)));
  return items.map((i) => {
    const key = lockerKey(i.link);
    return key && locked.has(key.split(':')[1]) && !unlocked.includes(key) ? { ...i, title: LOCKED_TITLE } : i;
  });
}
