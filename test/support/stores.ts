// The store tests run against, chosen by TEST_STORE: unset or `sqlite` → SQLite files in tmp dirs;
// a mysql:// URL → brand-new databases on that server, dropped by cleanupStores().
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { dropMysqlDatabase, openMysql } from '../../core/store/mysql.ts';

const target = process.env.TEST_STORE || 'sqlite';
const dirs: string[] = [];
const databases: string[] = [];

export function storeKind(): 'sqlite' | 'mysql' {
  if (target === 'sqlite') return 'sqlite';
  if (target.startsWith('mysql://')) return 'mysql';
  throw new Error(`TEST_STORE must be unset, "sqlite" or a mysql:// URL, not "${target}"`);
}

/** The URL of a brand-new, empty store nobody else uses, not even a parallel ava worker. */
export function freshStoreUrl(label: string): string {
  if (storeKind() === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), `store-${label.replace(/[^\w-]/g, '_')}-`));
    dirs.push(dir);
    return `sqlite:${join(dir, 'store.sqlite')}`;
  }
  const url = new URL(target);
  url.pathname = `/${url.pathname.slice(1) || 'test'}_t${randomBytes(6).toString('hex')}`;
  databases.push(decodeURIComponent(url.pathname.slice(1)));
  return url.toString();
}

/** For test.after.always: removes every store this process made, MySQL stores derived from them (`<db>_<name>`) included. */
export async function cleanupStores(): Promise<void> {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  if (databases.length === 0) return;
  const server = await openMysql(target);
  try {
    for (const db of databases.splice(0)) {
      const like = `${db.replace(/[\\%_]/g, '\\$&')}\\_%`;
      const rows = await server.all<{ name: string }>("SELECT schema_name AS name FROM information_schema.schemata WHERE schema_name = ? OR schema_name LIKE ? ESCAPE '\\'", [db, like]);
      for (const { name } of rows) {
        const url = new URL(target);
        url.pathname = `/${encodeURIComponent(name)}`;
        await dropMysqlDatabase(url.toString());
      }
    }
  } finally {
    await server.close();
  }
}
