// The dispatch store: the registry of cells, the login → cell directory, and the sessions
// (kept here so that every gateway process sees every session).
import type { Migration } from '../store/migrate.ts';

export const DISPATCH_MIGRATIONS: readonly Migration[] = [
  (t) => [
    `CREATE TABLE cells (
      id ${t.key} NOT NULL PRIMARY KEY,
      store_url ${t.text} NOT NULL,
      capacity INTEGER NOT NULL,
      user_count INTEGER NOT NULL DEFAULT 0,
      created_at BIGINT NOT NULL
    )${t.tableSuffix}`,
    `CREATE TABLE directory (
      login ${t.key} NOT NULL PRIMARY KEY,
      cell_id ${t.key} NOT NULL
    )${t.tableSuffix}`,
    `CREATE TABLE sessions (
      token_hash ${t.key} NOT NULL PRIMARY KEY,
      login ${t.key} NOT NULL,
      cell_id ${t.key} NOT NULL,
      created_at BIGINT NOT NULL,
      seen_at BIGINT NOT NULL
    )${t.tableSuffix}`,
    `CREATE INDEX sessions_by_login ON sessions (login)`,
  ],
];
