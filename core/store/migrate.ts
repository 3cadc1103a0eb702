// Versioned, forward-only schema migrations for both adapters.
import type { Dialect, Store } from './store.ts';

/** One schema step: the statements that take a store from version N-1 to N. */
export type Migration = (d: DialectTypes) => string[];

/** Column types and index forms that differ between the adapters. */
export interface DialectTypes {
  dialect: Dialect;
  id: string; // auto-increment primary key
  key: string; // short indexed text (logins, names)
  text: string; // long text, compared by code point on both stores
  /** An index column on long text: MySQL can only index a prefix of it. */
  textIndex(column: string): string;
  tableSuffix: string;
}

const TYPES: Record<Dialect, DialectTypes> = {
  sqlite: {
    dialect: 'sqlite',
    id: 'INTEGER PRIMARY KEY AUTOINCREMENT',
    key: 'TEXT',
    text: 'TEXT',
    textIndex: (c) => c,
    tableSuffix: '',
  },
  mysql: {
    dialect: 'mysql',
    id: 'BIGINT PRIMARY KEY AUTO_INCREMENT',
    key: 'VARCHAR(191) COLLATE utf8mb4_bin',
    text: 'LONGTEXT COLLATE utf8mb4_bin',
    textIndex: (c) => `${c}(191)`,
    tableSuffix: ' ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin',
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
