// The dispatch: which cell hosts a login, which cells exist, and where a new user goes.
// It never sees a password: authentication happens on the user's own cell.
import { LRUCache } from 'lru-cache';
import type { Store } from '../store/store.ts';
import { DuplicateKeyError } from '../store/store.ts';
import { migrate } from '../store/migrate.ts';
import { CoreError, conflict, invalid } from '../errors.ts';
import { DISPATCH_MIGRATIONS } from './schema.ts';

export interface CellInfo {
  id: string;
  storeUrl: string;
  capacity: number;
  userCount: number;
}

type CellRow = { id: string; store_url: string; capacity: number; user_count: number };
const toCell = (r: CellRow): CellInfo => ({ id: r.id, storeUrl: r.store_url, capacity: Number(r.capacity), userCount: Number(r.user_count) });

const LOGIN = /^[a-z0-9][a-z0-9._-]{1,31}$/;
const CELL_ID = /^[a-z0-9][a-z0-9_]{0,15}$/;

/** Logins are case-insensitive: a phone keypad makes capitals a nuisance. */
export function normalLogin(raw: string): string {
  return raw.trim().toLowerCase();
}

export function checkLogin(raw: string): string {
  const login = normalLogin(raw);
  if (!LOGIN.test(login)) throw invalid('A login has 2 to 32 letters, digits, dots, dashes or underscores.', 'login');
  return login;
}

/** Directory entries kept in each process by default: a lookup is one hash probe, not a query. */
export const DIRECTORY_CACHE = 100_000;

export class Dispatch {
  readonly store: Store;
  // Known logins only: a login registered meanwhile must be found at once. An entry goes stale
  // when its owner moves; the old cell's tombstone says so and the portal calls `forget` (move.ts).
  readonly #directory: LRUCache<string, string>;

  private constructor(store: Store, cacheSize: number) {
    this.store = store;
    this.#directory = new LRUCache({ max: Math.max(1, cacheSize) });
  }

  static async open(store: Store, cacheSize = DIRECTORY_CACHE): Promise<Dispatch> {
    await migrate(store, 'dispatch', DISPATCH_MIGRATIONS);
    return new Dispatch(store, cacheSize);
  }

  /** Step one of login: the cell hosting this login. */
  async locate(rawLogin: string): Promise<string> {
    const login = normalLogin(rawLogin);
    const cached = this.#directory.get(login);
    if (cached) return cached;
    const row = await this.store.get<{ cell_id: string }>('SELECT cell_id FROM directory WHERE login = ?', [login]);
    if (!row) throw new CoreError('unknown-login', 'This login is not known. Check it and try again.', 'login');
    this.#directory.set(login, row.cell_id);
    return row.cell_id;
  }

  /** Drops a cached directory entry: its login moved (here, or in another process, as a tombstone said). */
  forget(login: string): void {
    this.#directory.delete(login);
  }

  /** Points a login at its new cell, if it is still where the mover found it. */
  async relocate(login: string, from: string, to: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      const { changes } = await tx.run('UPDATE directory SET cell_id = ? WHERE login = ? AND cell_id = ?', [to, login, from]);
      if (changes) {
        await tx.run('UPDATE cells SET user_count = user_count - 1 WHERE id = ?', [from]);
        await tx.run('UPDATE cells SET user_count = user_count + 1 WHERE id = ?', [to]);
      }
    });
    this.forget(login);
  }

  async cells(): Promise<CellInfo[]> {
    return (await this.store.all<CellRow>('SELECT id, store_url, capacity, user_count FROM cells ORDER BY id')).map(toCell);
  }

  async cell(id: string): Promise<CellInfo | undefined> {
    const row = await this.store.get<CellRow>('SELECT id, store_url, capacity, user_count FROM cells WHERE id = ?', [id]);
    return row && toCell(row);
  }

  async addCell(id: string, storeUrl: string, capacity: number): Promise<CellInfo> {
    if (!CELL_ID.test(id)) throw invalid('A cell id has 1 to 16 lower-case letters, digits or underscores.', 'id');
    if (!Number.isInteger(capacity) || capacity < 1) throw invalid('A cell holds at least one user.', 'capacity');
    try {
      await this.store.run('INSERT INTO cells (id, store_url, capacity, user_count, created_at) VALUES (?, ?, ?, 0, ?)', [id, storeUrl, capacity, Date.now()]);
    } catch (err) {
      if (err instanceof DuplicateKeyError) throw conflict(`There is already a cell "${id}".`, 'id');
      throw err;
    }
    return { id, storeUrl, capacity, userCount: 0 };
  }

  /** The public key a cell signs its assertions with, as the cell published it. */
  async publicKey(cellId: string): Promise<string | undefined> {
    const row = await this.store.get<{ public_key: string | null }>('SELECT public_key FROM cells WHERE id = ?', [cellId]);
    return row?.public_key ?? undefined;
  }

  async publishKey(cellId: string, pem: string): Promise<void> {
    await this.store.run('UPDATE cells SET public_key = ? WHERE id = ? AND (public_key IS NULL OR public_key <> ?)', [pem, cellId, pem]);
  }

  /** Records a new login on the least-loaded cell with room, and returns that cell's id. */
  async place(rawLogin: string): Promise<string> {
    const login = checkLogin(rawLogin);
    return this.store.transaction(async (tx) => {
      if (await tx.get('SELECT login FROM directory WHERE login = ?', [login])) throw conflict(`The login "${login}" is taken.`, 'login');
      const cell = await tx.get<{ id: string }>(
        'SELECT id FROM cells WHERE user_count < capacity ORDER BY user_count * 1.0 / capacity, user_count, id LIMIT 1',
      );
      if (!cell) throw new CoreError('unavailable', 'No cell has room for a new user: an operator must add a cell.');
      try {
        await tx.run('INSERT INTO directory (login, cell_id) VALUES (?, ?)', [login, cell.id]);
      } catch (err) {
        if (err instanceof DuplicateKeyError) throw conflict(`The login "${login}" is taken.`, 'login');
        throw err;
      }
      await tx.run('UPDATE cells SET user_count = user_count + 1 WHERE id = ?', [cell.id]);
      return cell.id;
    });
  }

  /** Undoes `place` when the cell could not create the user after all. */
  async unplace(login: string, cellId: string): Promise<void> {
    await this.store.transaction(async (tx) => {
      const { changes } = await tx.run('DELETE FROM directory WHERE login = ? AND cell_id = ?', [login, cellId]);
      await tx.run('UPDATE cells SET user_count = user_count - ? WHERE id = ?', [changes, cellId]);
    });
    this.forget(login);
  }
}
