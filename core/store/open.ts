// Opens the store a URL names, with the adapter its scheme picks.
import { openSqlite } from './sqlite.ts';
import type { Store } from './store.ts';

export async function openStore(url: string): Promise<Store> {
  if (url.startsWith('sqlite:')) return openSqlite(url);
  // Loaded only when asked for, so SQLite deployments never load mysql2.
  if (url.startsWith('mysql:')) return (await import('./mysql.ts')).openMysql(url);
  // Only the scheme: the rest of the URL may hold a password.
  throw new Error(`A store URL must start with sqlite: or mysql:, not ${url.split(':')[0] || 'nothing'}:`);
}
