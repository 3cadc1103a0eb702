// Versioned, forward-only schema migrations for both adapters.
import type { Dialect, Store } from './store.ts';

/** The longest indexable text: 255 utf8mb4 characters keep a composite InnoDB key under its 3,072 bytes. */
export const KEY_CHARS = 255;

/** One schema step: the statements that take a store from version N-1 to N. */
export type Migration = (d: DialectTypes) => string[];

/** Column types and index forms that differ between the adapters. */
export interface DialectTypes {
  dialect: Dialect;
  id: string; // auto-increment primary key
  /** Indexable text of up to KEY_CHARS characters (logins, names, search keys), compared by code point. */
  key: string;
  /** Text of any length, compared by code point; not for indexes. */
  text: string;
  tableSuffix: string;
  /** For a table stored in primary-key order (InnoDB always does; SQLite needs WITHOUT ROWID). */
  clusteredSuffix: string;
}

const TYPES: Record<Dialect, DialectTypes> = {
  sqlite: {
    dialect: 'sqlite',
    id: 'INTEGER PRIMARY KEY AUTOINCREMENT',
    key: 'TEXT',
    text: 'TEXT',
    tableSuffix: '',
    clusteredSuffix: ' WITHOUT ROWID',
  },
  mysql: {
    dialect: 'mysql',
    id: 'BIGINT PRIMARY KEY AUTO_INCREMENT',
    key: `VARCHAR(${KEY_CHARS}) COLLATE utf8mb4_bin`,
    text: 'LONGTEXT COLLATE utf8mb4_bin',
    tableSuffix: ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin',
    clusteredSuffix: ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin',
  },
};

export class SchemaTooNewError extends Error {}

/** Brings `store` up to the last of `migrations`; refuses a store written by a newer program. */
export async function migrate(store: Store, kind: string, migrations: readonly Migration[]): Promise<void> {
  const t = TYPES[store.dialect];
  await store.run(`CREATE TABLE IF NOT EXISTS schema_meta (kind ${t.key} NOT NULL PRIMARY KEY, version INTEGER NOT NULL)${t.tableSuffix}`);
  await store.transaction(async (tx) => {
    const row = await tx.get<{ version: number }>('SELECT version FROM schema_meta WHERE kind = ?', [kind]);
    const current = row ? Number(row.version) : 0;
    if (current > migrations.length) {
      throw new SchemaTooNewError(`the ${kind} store ${store.url} is at schema version ${current}, newer than this program knows (${migrations.length})`);
    }
    for (let v = current; v < migrations.length; v++) {
      for (const sql of migrations[v](t)) await tx.run(sql);
    }
    if (!row) await tx.run('INSERT INTO schema_meta (kind, version) VALUES (?, ?)', [kind, migrations.length]);
    else if (current < migrations.length) await tx.run('UPDATE schema_meta SET version = ? WHERE kind = ?', [migrations.length, kind]);
  });
}
