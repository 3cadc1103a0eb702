// The sync tables of one cell (migration kind 'sync'): the partners a user syncs with (phones and
// desktop PIMs that call us, remote portals we call), the anchors of each partner's datastores,
// the correspondence table between our records and the partner's item ids, and the vCard /
// iCalendar properties our fixed fields do not hold, kept per record and given back.
import type { Migration } from '../store/migrate.ts';

export const SYNC_MIGRATIONS: readonly Migration[] = [
  (t) => [
    // A partner: a device that syncs with us (kind 'device', key = its SyncML device ID) or a remote
    // portal we sync with as a client (kind 'portal', key = its id in sync_portals).
    `CREATE TABLE sync_partners (
      id ${t.id},
      owner ${t.key} NOT NULL,
      kind ${t.key} NOT NULL,
      partner_key ${t.key} NOT NULL,
      -- The nonce the partner must hash its next MD5 credentials with ('' before the first session).
      nonce ${t.key} NOT NULL,
      devinf ${t.text},
      last_seen BIGINT NOT NULL,
      UNIQUE (owner, kind, partner_key)
    )${t.tableSuffix}`,
    // The anchors of the last complete sync of one datastore. The previous pair is kept too: a
    // session cut off after we committed but before the partner did still finds its anchor here.
    `CREATE TABLE sync_anchors (
      partner_id BIGINT NOT NULL,
      datastore ${t.key} NOT NULL,
      their_anchor ${t.key} NOT NULL,
      their_previous ${t.key} NOT NULL,
      our_anchor ${t.key} NOT NULL,
      PRIMARY KEY (partner_id, datastore)
    )${t.tableSuffix}`,
    // The correspondence table: our record (the GUID) and the partner's id for it (the LUID a
    // phone gave it, or the remote portal's id), with the digest of the record as last exchanged:
    // a record whose digest differs has changed since, a row whose record is gone was deleted.
    `CREATE TABLE sync_map (
      partner_id BIGINT NOT NULL,
      datastore ${t.key} NOT NULL,
      record_id BIGINT NOT NULL,
      their_id ${t.key} NOT NULL,
      digest ${t.key} NOT NULL,
      PRIMARY KEY (partner_id, datastore, record_id)
    )${t.tableSuffix}`,
    `CREATE INDEX sync_map_theirs ON sync_map (partner_id, datastore, their_id)`,
    // The vCard or iCalendar item a record was last received as: what it carried beyond our fixed
    // fields is given back from it (the format module keeps every property no field maps).
    `CREATE TABLE sync_extras (
      record_id BIGINT NOT NULL PRIMARY KEY,
      db_id BIGINT NOT NULL,
      base ${t.text} NOT NULL
    )${t.tableSuffix}`,
    // Per user: the MD5 secret (b64(md5(login:password)), what SyncML MD5 auth is computed from:
    // scrypt hashes cannot answer it) and the conflict policy.
    `CREATE TABLE sync_users (
      login ${t.key} NOT NULL PRIMARY KEY,
      md5_secret ${t.key},
      conflict_policy ${t.key} NOT NULL
    )${t.tableSuffix}`,
    // Remote portals a user syncs with as a client (seed 002).
    `CREATE TABLE sync_portals (
      id ${t.id},
      owner ${t.key} NOT NULL,
      name ${t.key} NOT NULL,
      url ${t.key} NOT NULL,
      login ${t.key} NOT NULL,
      password ${t.key} NOT NULL,
      datastore ${t.key} NOT NULL,
      remote_uri ${t.key} NOT NULL,
      mode ${t.key} NOT NULL,
      last_report ${t.text},
      UNIQUE (owner, name)
    )${t.tableSuffix}`,
  ],
  // A portal's password is sealed with the cell's key (core/cell/secrets.ts) like mail's: the
  // column is named for what it holds now, and holds any length (a sealed value is longer than
  // the password). Those stored in the clear before are sealed on the first use of the sync
  // tables (backfill.ts): this row, while it exists, says that is still to do.
  (t) => [
    t.dialect === 'mysql' ? `ALTER TABLE sync_portals CHANGE password secret ${t.text} NOT NULL` : `ALTER TABLE sync_portals RENAME COLUMN password TO secret`,
    `CREATE TABLE portal_backfill (id INTEGER NOT NULL PRIMARY KEY)${t.tableSuffix}`,
    `INSERT INTO portal_backfill (id) VALUES (1)`,
  ],
];
