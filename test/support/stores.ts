// The store tests run against, chosen by TEST_STORE: unset or `sqlite` → SQLite files in tmp dirs;
// a mysql:// URL → brand-new databases on that server, dropped by cleanupStores().
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { dropMysqlDatabases } from '../../core/store/mysql.ts';

const target = process.env.TEST_STORE || 'sqlite';
const dirs: string[] = [];
const databases: string[] = [];

export function storeKind(): 'sqlite' | 'mysql' {
  if (target === 'sqlite') return 'sqlite';
  if (target.startsWith('mysql://')) return 'mysql';
  throw new Error(`TEST_STORE must be unset, "sqlite" or a mysql:// URL, not "${target}"`);
}

/** A new empty temporary directory, removed by cleanupStores(). */
export function freshDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `store-${label.replace(/[^\w-]/g, '_')}-`));
  dirs.push(dir);
  return dir;
}

/** The URL of a brand-new, empty store nobody else uses, not even a parallel ava worker. */
export function freshStoreUrl(label: string): string {
  if (storeKind() === 'sqlite') return `sqlite:${join(freshDir(label), 'store.sqlite')}`;
  const url = new URL(target);
  url.pathname = `/${url.pathname.slice(1) || 'test'}_t${randomBytes(6).toString('hex')}`;
  databases.push(url.toString());
  return url.toString();
}

/** For test.after.always: removes every store this process made, MySQL stores derived from them (`<db>_<name>`) included. */
export async function cleanupStores(): Promise<void> {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  for (const url of databases.splice(0)) await dropMysqlDatabases(url);
}
