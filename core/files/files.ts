// The user's files (seed 000, the drive server): bytes kept on the user's cell under a quota per
// user. A file over quota is still listed (name, type, size) with no bytes: the user knows it existed.
import type { Store } from '../store/store.ts';
import type { Migration } from '../store/migrate.ts';

export const FILE_MIGRATIONS: readonly Migration[] = [
  (t) => [
    `CREATE TABLE files (
      id ${t.id},
      owner ${t.key} NOT NULL,
      origin ${t.key} NOT NULL,
      name ${t.key} NOT NULL,
      type ${t.key} NOT NULL,
      size BIGINT NOT NULL,
      stored INTEGER NOT NULL,
      content ${t.dialect === 'mysql' ? 'LONGBLOB' : 'BLOB'},
      created_at BIGINT NOT NULL
    )${t.tableSuffix}`,
    `CREATE INDEX files_by_origin ON files (owner, origin)`,
  ],
];

export interface FileEntry {
  id: number;
  name: string;
  type: string;
  size: number;
  /** False when the file was over quota: listed, bytes not kept. */
  stored: boolean;
}

export interface NewFile {
  name: string;
  type: string;
  content: Uint8Array;
}

/** Names and types are indexable keys: long ones are cut. */
const clip = (s: string) => s.slice(0, 200);

/** Bytes the owner's stored files take. */
async function usage(store: Store, owner: string): Promise<number> {
  const row = await store.get<{ n: number | null }>('SELECT SUM(size) AS n FROM files WHERE owner = ? AND stored = 1', [owner]);
  return Number(row?.n ?? 0);
}

/**
 * Adds files for `origin` (e.g. `mail:42`) inside the caller's transaction: each is stored while the
 * owner's total stays within `quota` bytes, and listed without its bytes once it would not.
 */
export async function addFiles(tx: Store, owner: string, origin: string, files: readonly NewFile[], quota: number, now: number): Promise<FileEntry[]> {
  let used = await usage(tx, owner);
  const entries: FileEntry[] = [];
  for (const f of files) {
    const stored = used + f.content.length <= quota;
    if (stored) used += f.content.length;
    const { lastId } = await tx.run('INSERT INTO files (owner, origin, name, type, size, stored, content, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
      owner,
      origin,
      clip(f.name),
      clip(f.type),
      f.content.length,
      stored ? 1 : 0,
      stored ? f.content : null,
      now,
    ]);
    entries.push({ id: lastId, name: f.name, type: f.type, size: f.content.length, stored });
  }
  return entries;
}

export async function filesOf(store: Store, owner: string, origin: string): Promise<FileEntry[]> {
  const rows = await store.all<{ id: number; name: string; type: string; size: number; stored: number }>('SELECT id, name, type, size, stored FROM files WHERE owner = ? AND origin = ? ORDER BY id', [owner, origin]);
  return rows.map((r) => ({ id: Number(r.id), name: r.name, type: r.type, size: Number(r.size), stored: Boolean(Number(r.stored)) }));
}

/** A stored file's bytes, for its owner only. */
export async function fileContent(store: Store, owner: string, id: number): Promise<(FileEntry & { content: Buffer }) | undefined> {
  const row = await store.get<{ id: number; name: string; type: string; size: number; stored: number; content: Uint8Array | null }>(
    'SELECT id, name, type, size, stored, content FROM files WHERE owner = ? AND id = ?',
    [owner, id],
  );
  if (!row || !row.content) return undefined;
  return { id: Number(row.id), name: row.name, type: row.type, size: Number(row.size), stored: true, content: Buffer.from(row.content) };
}

