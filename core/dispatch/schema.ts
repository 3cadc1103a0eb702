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
  // The secure session layer: each cell's public key (for the assertions by which a cell vouches
  // for its users on other cells), the HTML anti-forgery secret and locker unlocks of a session,
  // and the login throttle shared by every gateway process.
  (t) => [
    `ALTER TABLE cells ADD COLUMN public_key ${t.text}`,
    `ALTER TABLE sessions ADD COLUMN csrf ${t.key}`,
    `ALTER TABLE sessions ADD COLUMN unlocks ${t.text}`,
    `CREATE TABLE login_throttle (
      throttle_key ${t.key} NOT NULL PRIMARY KEY,
      failures INTEGER NOT NULL,
      blocked_until BIGINT NOT NULL,
      updated_at BIGINT NOT NULL
    )${t.tableSuffix}`,
  ],
];
