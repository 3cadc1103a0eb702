// Portal passwords stored in the clear, before they were sealed (sync migration 2), sealed with
// the cell's key once, on the first use of the sync tables by a program that seals them. One
// transaction: a run cut short leaves them all as they were, to be done again.
import type { Store } from '../store/store.ts';
import { Secrets } from '../cell/secrets.ts';

export async function sealClearPasswords(store: Store): Promise<void> {
  if (!(await store.get('SELECT id FROM portal_backfill WHERE id = 1'))) return;
  await store.transaction(async (tx) => {
    // Read again under a lock: another process may have sealed them since, and must not twice.
    const lock = tx.dialect === 'mysql' ? ' FOR UPDATE' : '';
    if (!(await tx.get(`SELECT id FROM portal_backfill WHERE id = 1${lock}`))) return;
    const secrets = await Secrets.open(tx);
    for (const row of await tx.all<{ id: number; secret: string }>(`SELECT id, secret FROM sync_portals${lock}`)) {
      await tx.run('UPDATE sync_portals SET secret = ? WHERE id = ?', [secrets.seal(row.secret), row.id]);
    }
    await tx.run('DELETE FROM portal_backfill WHERE id = 1');
  });
}
