// The tables of one cell: its users, their databases and fields, records with their
// search index, the permission database, the list of databases shared with each user, and the
// key passwords kept for other servers are sealed with.
import type { Migration } from '../store/migrate.ts';
import { SECRET_KEY_STEP } from './secrets.ts';

export const CELL_MIGRATIONS: readonly Migration[] = [
  (t) => [
    `CREATE TABLE users (
      id ${t.id},
      login ${t.key} NOT NULL UNIQUE,
      password_hash ${t.key} NOT NULL,
      name ${t.key} NOT NULL,
      language ${t.key} NOT NULL,
      created_at BIGINT NOT NULL
    )${t.tableSuffix}`,
    `CREATE TABLE dbs (
      id ${t.id},
      owner ${t.key} NOT NULL,
      name ${t.key} NOT NULL,
      record_count INTEGER NOT NULL DEFAULT 0,
      -- Bumped with every change to the fields, or to any record: a cached field list, or a page
      -- a gateway rendered, is known fresh by the one read that checks the permission anyway.
      fields_version INTEGER NOT NULL DEFAULT 0,
      data_version INTEGER NOT NULL DEFAULT 0,
      created_at BIGINT NOT NULL,
      UNIQUE (owner, name)
    )${t.tableSuffix}`,
    `CREATE TABLE fields (
      id ${t.id},
      db_id BIGINT NOT NULL,
      position INTEGER NOT NULL,
      name ${t.key} NOT NULL,
      type ${t.key} NOT NULL,
      options ${t.text} NOT NULL,
      UNIQUE (db_id, name)
    )${t.tableSuffix}`,
    `CREATE TABLE records (
      id ${t.id},
      db_id BIGINT NOT NULL,
      data ${t.text} NOT NULL,
      created_at BIGINT NOT NULL,
      updated_at BIGINT NOT NULL
    )${t.tableSuffix}`,
    `CREATE INDEX records_by_db ON records (db_id, id)`,
    // One row per record and field, empty values included, so that every comparison
    // (even "is empty" and "not equal") is answered from an index on (field, value).
    // Text is keyed by its first KEY_CHARS folded characters (txt); the rest of a longer
    // value is kept whole in txt_full, read only by comparisons the key cannot settle.
    `CREATE TABLE field_values (
      field_id BIGINT NOT NULL,
      record_id BIGINT NOT NULL,
      txt ${t.key},
      txt_full ${t.text},
      num DOUBLE,
      PRIMARY KEY (field_id, record_id)
    )${t.clusteredSuffix}`,
    `CREATE INDEX field_values_txt ON field_values (field_id, txt, record_id)`,
    `CREATE INDEX field_values_num ON field_values (field_id, num, record_id)`,
    `CREATE INDEX field_values_record ON field_values (record_id)`,
    // The permission database: who may read or write a database of this cell.
    `CREATE TABLE permissions (
      db_id BIGINT NOT NULL,
      grantee ${t.key} NOT NULL,
      grantee_cell ${t.key} NOT NULL,
      access ${t.key} NOT NULL,
      PRIMARY KEY (db_id, grantee)
    )${t.tableSuffix}`,
    // What others share with the users of this cell (the seed's "owner database"): a list
    // for the home screen only; the owner's cell checks the right on every access.
    `CREATE TABLE shared_with_me (
      login ${t.key} NOT NULL,
      owner_cell ${t.key} NOT NULL,
      db_id BIGINT NOT NULL,
      owner ${t.key} NOT NULL,
      db_name ${t.key} NOT NULL,
      access ${t.key} NOT NULL,
      PRIMARY KEY (login, owner_cell, db_id)
    )${t.tableSuffix}`,
  ],
  // The locker (seed 000, paragraph 95) and the key by which this cell vouches for its users elsewhere.
  (t) => [
    `ALTER TABLE users ADD COLUMN locker_hash ${t.key}`,
    `ALTER TABLE dbs ADD COLUMN locked INTEGER NOT NULL DEFAULT 0`,
    `CREATE TABLE cell_key (
      id INTEGER NOT NULL PRIMARY KEY,
      private_pem ${t.text} NOT NULL,
      public_pem ${t.text} NOT NULL
    )${t.tableSuffix}`,
  ],
  // The trigram index behind "contains": for each text or choice value, the distinct sequences
  // of three code points in its whole folded text (txt_full, else txt), one row each, so that a
  // needle's rarest trigram names the few records worth checking.
  (t) => [
    `CREATE TABLE field_grams (
      field_id BIGINT NOT NULL,
      gram ${t.dialect === 'mysql' ? 'VARCHAR(3) COLLATE utf8mb4_bin' : t.key} NOT NULL,
      record_id BIGINT NOT NULL,
      PRIMARY KEY (field_id, gram, record_id)
    )${t.clusteredSuffix}`,
    // SQL cannot cut text into trigrams on both stores, so the values already there get theirs
    // when the cell is next opened (records.ts, backfillGrams): this row, while it exists, says
    // how far that has come, field by field in id order and within a field by record.
    `CREATE TABLE grams_backfill (
      id INTEGER NOT NULL PRIMARY KEY,
      field_id BIGINT NOT NULL,
      record_id BIGINT NOT NULL
    )${t.tableSuffix}`,
    `INSERT INTO grams_backfill (id, field_id, record_id) VALUES (1, 0, 0)`,
  ],
  // The key the cell seals its users' passwords for other servers with (mail, remote SyncML
  // portals): mail's until now, the cell's from here on (secrets.ts).
  SECRET_KEY_STEP,
];
