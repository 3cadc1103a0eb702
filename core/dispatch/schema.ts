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
  // Growing past one machine (issue 8): the moves of owners between cells (one row per owner while
  // and after it moves, so a second mover refuses and a broken move can be taken up again), the
  // traffic each cell receives a minute (every gateway process adds its counts), and the lease
  // by which one watchdog at a time rebalances.
  (t) => [
    `CREATE TABLE moves (
      login ${t.key} NOT NULL PRIMARY KEY,
      from_cell ${t.key} NOT NULL,
      to_cell ${t.key} NOT NULL,
      state ${t.key} NOT NULL,
      records BIGINT NOT NULL DEFAULT 0,
      started_at BIGINT NOT NULL,
      updated_at BIGINT NOT NULL
    )${t.tableSuffix}`,
    `CREATE TABLE cell_traffic (
      cell_id ${t.key} NOT NULL,
      minute BIGINT NOT NULL,
      requests BIGINT NOT NULL,
      PRIMARY KEY (cell_id, minute)
    )${t.tableSuffix}`,
    `CREATE TABLE watchdog_lease (
      id INTEGER NOT NULL PRIMARY KEY,
      holder ${t.key} NOT NULL,
      until_ms BIGINT NOT NULL
    )${t.tableSuffix}`,
    `CREATE INDEX sessions_by_cell ON sessions (cell_id)`,
  ],
  // The SyncML server's sessions, so that the messages of one session may reach any gateway
  // process: each session's state, the revision every answer advances, and the lease of the
  // process answering its current message.
  (t) => [
    `CREATE TABLE syncml_sessions (
      token ${t.key} NOT NULL PRIMARY KEY,
      state ${t.text} NOT NULL,
      revision INTEGER NOT NULL,
      busy_until BIGINT NOT NULL,
      updated_at BIGINT NOT NULL
    )${t.tableSuffix}`,
    `CREATE INDEX syncml_sessions_by_age ON syncml_sessions (updated_at)`,
  ],
];
