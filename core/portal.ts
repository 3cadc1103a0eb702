// The portal: the one door the gateway (and the admin command) uses into the core.
// It asks the dispatch where a login or a database lives and hands the operation to that cell;
// the cells do every permission check themselves.
import { openStore } from './store/open.ts';
import { storeUrlFor } from './store/locate.ts';
import { Dispatch, checkLogin, normalLogin } from './dispatch/dispatch.ts';
import { Sessions, type Session, type SessionLimits } from './dispatch/sessions.ts';
import { LoginThrottle, type ThrottleRules } from './dispatch/throttle.ts';
import { cellUnavailable, GuardedStore } from './cell/outage.ts';
import { migrateTombstones, movedUser } from './cell/tombstone.ts';
import { here, MAX_HOPS, mayHaveMoved, MovedError, onward, relocate, type DbRef, type Located } from './dispatch/follow.ts';
import { TrafficMeter } from './dispatch/traffic.ts';
import { Cell, type Access, type Actor, type Database, type NewField, type Page, type SharedEntry, type User } from './cell/cell.ts';
import type { StoredRecord, RecordInput } from './cell/records.ts';
import { checkName } from './cell/fields.ts';
import type { Query } from './cell/search.ts';
import { CoreError, invalid, notFound } from './errors.ts';
import type { CellAlarms } from './alarms/alarms.ts';
import type { Planner } from './planner/planner.ts';
import { Mail, type MailOptions } from './mail/mail.ts';
import { mailOptions, type MailSettings } from './mail/settings.ts';
// Registers the sync tables among what moves with an owner (the sync modules load only with the gateway's /sync).
import './sync/move.ts';

/** A database anywhere in the system: the cell that hosts it and its id there. */
export type { DbRef };
export { MovedError };

export interface DatabaseEntry extends DbRef {
  name: string;
  owner: string;
  right: 'owner' | Access;
  locked: boolean;
}

/** How long an unlocked database stays open in a session. */
export const UNLOCK_TIME = 10 * 60_000;

export interface PortalOptions {
  sessions?: Partial<SessionLimits>;
  throttle?: Partial<ThrottleRules>;
  /** The clock, for tests of expiry and throttling. */
  now?: () => number;
  /** How remote mail servers are treated (see mail/settings.ts). */
  mail?: Partial<MailSettings>;
  /** The dispatch store (default: derived from the base URL). */
  dispatchUrl?: string;
  /** Where this process reaches cells, by id, over what the registry says (see gateway/config.ts, CELL_STORES). */
  cellStores?: Record<string, string>;
  /** Directory entries cached in this process. */
  directoryCache?: number;
}

export class Portal {
  readonly dispatch: Dispatch;
  readonly sessions: Sessions;
  readonly throttle: LoginThrottle;
  readonly traffic: TrafficMeter;
  readonly #base: string;
  readonly #cellStores: Record<string, string>;
  readonly #cells = new Map<string, Promise<Cell>>();
  /** Keyed by the opened cell, not its id: a cell reopened after an outage gets a Mail on its new store. */
  readonly #mail = new WeakMap<Cell, Promise<Mail>>();
  readonly #mailOptions: MailOptions;

  private constructor(base: string, dispatch: Dispatch, options: PortalOptions) {
    this.#base = base;
    this.#cellStores = options.cellStores ?? {};
    this.dispatch = dispatch;
    this.sessions = new Sessions(dispatch.store, options.sessions, options.now);
    this.throttle = new LoginThrottle(dispatch.store, options.throttle, options.now);
    this.traffic = new TrafficMeter(dispatch.store, options.now);
    this.#mailOptions = mailOptions(options.mail, options.now);
  }

  /** Opens the system whose stores derive from `base` (see store/locate.ts), or are named in the options. */
  static async open(base: string, options: PortalOptions = {}): Promise<Portal> {
    const store = await openStore(options.dispatchUrl || storeUrlFor(base, 'dispatch'));
    try {
      return new Portal(base, await Dispatch.open(store, options.directoryCache), options);
    } catch (err) {
      // A dispatch this program must not use (a newer schema) leaves no pool keeping the process alive.
      await store.close();
      throw err;
    }
  }

  /** The cell to run an operation on `ref` with: a user of another cell comes vouched for by their own. */
  async #at(actor: Actor, ref: DbRef): Promise<{ cell: Cell; as: Actor }> {
    const cell = await this.cell(ref.cellId);
    if (ref.cellId === actor.cellId) return { cell, as: actor };
    return { cell, as: { ...actor, assertion: (await this.cell(actor.cellId)).vouch(actor.login, ref.cellId) } };
  }

  /**
   * The cell object for an id, opened once from the store URL the registry names (or this process's
   * configuration). A cell whose store is out of reach is unavailable, and opened afresh next time.
   */
  cell(id: string): Promise<Cell> {
    this.traffic.hit(id);
    let cell = this.#cells.get(id);
    if (!cell) {
      const opening = (async () => {
        const info = await this.dispatch.cell(id);
        if (!info) throw notFound(`There is no cell "${id}".`);
        const dropped = () => this.#drop(id, opening);
        let raw;
        try {
          raw = await openStore(this.#cellStores[id] ?? info.storeUrl);
          const store = new GuardedStore(raw, id, dropped);
          const opened = await Cell.open(id, store, (cellId) => this.dispatch.publicKey(cellId));
          await migrateTombstones(store);
          await this.dispatch.publishKey(id, opened.publicPem);
          return opened;
        } catch (err) {
          await raw?.close().catch(() => {});
          throw err instanceof CoreError ? err : cellUnavailable(id, err);
        }
      })();
      cell = opening;
      cell.catch(() => this.#cells.delete(id));
      this.#cells.set(id, cell);
    }
    return cell;
  }

  /** Forgets a cell whose store failed (closing it), so the next request opens it afresh. */
  #drop(id: string, which: Promise<Cell>): void {
    if (this.#cells.get(id) !== which) return;
    this.#cells.delete(id);
    which.then((cell) => cell.store.close()).catch(() => {});
  }

  /** The actor's own cell and the actor as it stands there, for parts that work on the cell's store themselves (sync). */
  ownCell(actor: Actor): Promise<{ cell: Cell; as: Actor }> {
    return this.#home(actor);
  }

  /** The actor's own cell, following them if they moved (their session may predate the move). */
  async #home(actor: Actor): Promise<{ cell: Cell; as: Actor }> {
    let as = actor;
    for (let hop = 0; hop <= MAX_HOPS; hop++) {
      const cell = await this.cell(as.cellId);
      const to = await movedUser(cell.store, as.login);
      if (!to) return { cell, as };
      this.#forget(as.login);
      as = { ...as, cellId: to };
    }
    throw new CoreError('unavailable', 'Your account moved too often to follow. Log in again.');
  }

  /** Drops what this process cached of where a login lives. */
  #forget(login: string): void {
    this.dispatch.forget(login);
    this.sessions.forgetLogin(login);
  }

  /**
   * Runs a read of a database. Addressed where it no longer is, it throws MovedError with its new
   * place: the caller reads there (a page rendered from the old address would carry old ids).
   */
  async #read<T>(actor: Actor, ref: DbRef, op: (cell: Cell, as: Actor, dbId: number) => Promise<T>): Promise<T> {
    try {
      const { cell, as } = await this.#at(actor, ref);
      return await op(cell, as, ref.dbId);
    } catch (err) {
      const moved = mayHaveMoved(err) ? await relocate((id) => this.cell(id), ref) : undefined;
      throw moved ? new MovedError(moved.ref) : err;
    }
  }

  /**
   * Runs a write on a database, wherever it is now: a form typed before a move is saved at the
   * new place, under the new ids, once (a write that raced the move was undone there: records.ts,
   * touchDb). `idempotent` writes, which no transaction guards, are checked after and made again
   * at the new place if the move overtook them.
   */
  async #write<T>(actor: Actor, ref: DbRef, op: (cell: Cell, as: Actor, at: Located) => Promise<T>, idempotent = false): Promise<T> {
    let at = here(ref);
    for (let hop = 0; ; hop++) {
      try {
        const { cell, as } = await this.#at(actor, at.ref);
        const result = await op(cell, as, at);
        const overtaken = idempotent ? await relocate((id) => this.cell(id), at.ref) : undefined;
        if (!overtaken) return result;
        at = onward(at, overtaken);
      } catch (err) {
        const moved = hop < MAX_HOPS && mayHaveMoved(err) ? await relocate((id) => this.cell(id), at.ref) : undefined;
        if (!moved) throw err;
        at = onward(at, moved);
      }
    }
  }

  // Administration --------------------------------------------------------------

  /** Registers a cell; its store defaults to the configured one, else one derived from the base URL. */
  async addCell(id: string, capacity: number, storeUrl = this.#cellStores[id] ?? storeUrlFor(this.#base, `cell_${id}`)) {
    const info = await this.dispatch.addCell(id, storeUrl, capacity);
    await this.cell(id);
    return info;
  }

  /** Registers the configured cells the dispatch does not know yet (opened when first used). */
  async registerConfiguredCells(capacity: number): Promise<string[]> {
    const added: string[] = [];
    for (const [id, url] of Object.entries(this.#cellStores)) {
      if (await this.dispatch.cell(id)) continue;
      await this.dispatch.addCell(id, url, capacity);
      added.push(id);
    }
    return added;
  }

  /** Places a new user on the least-loaded cell with room and creates them there. */
  async register(rawLogin: string, password: string, name: string, language = 'en'): Promise<User> {
    const login = checkLogin(rawLogin);
    if (password.length < 4) throw invalid('A password has at least 4 characters.', 'password');
    const cellId = await this.dispatch.place(login);
    try {
      return await (await this.cell(cellId)).createUser(login, password, name.trim() || login, language);
    } catch (err) {
      await this.dispatch.unplace(login, cellId);
      throw err;
    }
  }

  // Login ------------------------------------------------------------------------------

  /** Step one: the dispatch tells which cell hosts the login (and whether it exists at all). */
  async locate(rawLogin: string): Promise<string> {
    if (!normalLogin(rawLogin)) throw invalid('Type your login.', 'login');
    return this.dispatch.locate(rawLogin);
  }

  /**
   * Step two: the user's own cell checks the password; a new session starts. Failures are counted
   * per login and per client address, and past a few each attempt waits longer.
   */
  async login(rawLogin: string, password: string, clientAddress = 'unknown') {
    const login = normalLogin(rawLogin);
    const keys = [`login:${login}`, `addr:${clientAddress}`];
    await this.throttle.check(keys);
    try {
      const { cell } = await this.#home({ login, cellId: await this.locate(login) });
      const user = await cell.authenticate(login, password);
      await this.throttle.succeeded(keys[0]);
      return { user, session: await this.sessions.start(login, cell.id) };
    } catch (err) {
      if (err instanceof CoreError && (err.kind === 'bad-password' || err.kind === 'unknown-login')) await this.throttle.failed(keys);
      throw err;
    }
  }

  /** The acting user of a session, with the locked databases it has open now. */
  actorOf(session: Session): Actor {
    const unlocked = Object.keys(session.unlocks).filter((key) => this.sessions.unlocked(session, key));
    return { login: session.login, cellId: session.cellId, unlocked };
  }

  async user(actor: Actor): Promise<User> {
    const { cell, as } = await this.#home(actor);
    const user = await cell.user(as.login);
    if (!user) throw new CoreError('forbidden', 'Your account no longer exists here.');
    return user;
  }

  // Databases ------------------------------------------------------------------------------

  /** The user's own databases, then those shared with them, as the home screen lists them. */
  async databases(actor: Actor): Promise<DatabaseEntry[]> {
    const { cell: home, as } = await this.#home(actor);
    const own = (await home.ownDatabases(as)).map((d) => ({ cellId: home.id, dbId: d.id, name: d.name, owner: as.login, right: 'owner' as const, locked: d.locked }));
    const shared = (await home.sharedWith(as)).map((s) => ({ cellId: s.ownerCell, dbId: s.dbId, name: s.name, owner: s.owner, right: s.right, locked: false }));
    return [...own, ...shared];
  }

  /** Creates a database on the owner's cell; one created there just as the owner moved away is made again where they went. */
  async createDatabase(actor: Actor, name: string): Promise<DbRef> {
    let { cell, as } = await this.#home(actor);
    let dbId = await cell.createDatabase(as, name);
    for (let to; (to = await movedUser(cell.store, as.login)); ) {
      this.#forget(as.login);
      ({ cell, as } = await this.#home({ ...as, cellId: to }));
      try {
        dbId = await cell.createDatabase(as, name);
      } catch (err) {
        // The move carried it along after all.
        const copied = err instanceof CoreError && err.kind === 'conflict' ? (await cell.ownDatabases(as)).find((d) => d.name === checkName(name, 'The name of a database')) : undefined;
        if (!copied) throw err;
        dbId = copied.id;
      }
    }
    return { cellId: cell.id, dbId };
  }

  async database(actor: Actor, ref: DbRef): Promise<Database> {
    return this.#read(actor, ref, (cell, as, dbId) => cell.access(as, dbId));
  }

  async addField(actor: Actor, ref: DbRef, spec: NewField) {
    return this.#write(actor, ref, (cell, as, at) => cell.addField(as, at.ref.dbId, spec));
  }

  async setAlarm(actor: Actor, ref: DbRef, fieldId: number, spec: Pick<NewField, 'watch' | 'op' | 'event'>) {
    return this.#write(actor, ref, async (cell, as, at) => cell.setAlarm(as, at.ref.dbId, await at.field(fieldId), spec));
  }

  // Alarms and the planner live on the user's own cell (core/alarms, core/planner) --------------

  async alarms(actor: Actor): Promise<CellAlarms> {
    const { cell, as } = await this.#home(actor);
    return actingAs(cell.alarms, actor, as);
  }

  async planner(actor: Actor): Promise<Planner> {
    const { cell, as } = await this.#home(actor);
    return actingAs(cell.planner, actor, as);
  }

  // Records ------------------------------------------------------------------------------

  async records(actor: Actor, ref: DbRef, offset: number, limit: number): Promise<{ db: Database } & Page<StoredRecord>> {
    return this.#read(actor, ref, (cell, as, dbId) => cell.records(as, dbId, offset, limit));
  }

  async record(actor: Actor, ref: DbRef, recordId: number) {
    return this.#read(actor, ref, (cell, as, dbId) => cell.record(as, dbId, recordId));
  }

  async createRecord(actor: Actor, ref: DbRef, input: RecordInput): Promise<number> {
    return this.#write(actor, ref, async (cell, as, at) => cell.createRecord(as, at.ref.dbId, await at.input(input)));
  }

  async importRecords(actor: Actor, ref: DbRef, inputs: readonly RecordInput[]): Promise<number[]> {
    return this.#write(actor, ref, async (cell, as, at) => cell.importRecords(as, at.ref.dbId, await Promise.all(inputs.map(at.input))));
  }

  async updateRecord(actor: Actor, ref: DbRef, recordId: number, input: RecordInput): Promise<void> {
    return this.#write(actor, ref, async (cell, as, at) => cell.updateRecord(as, at.ref.dbId, await at.record(recordId), await at.input(input)));
  }

  async deleteRecord(actor: Actor, ref: DbRef, recordId: number): Promise<void> {
    return this.#write(actor, ref, async (cell, as, at) => cell.deleteRecord(as, at.ref.dbId, await at.record(recordId)));
  }

  async search(actor: Actor, ref: DbRef, query: Query, offset: number, limit: number): Promise<{ db: Database } & Page<StoredRecord>> {
    return this.#read(actor, ref, (cell, as, dbId) => cell.search(as, dbId, query, offset, limit));
  }

  // Sharing ------------------------------------------------------------------------------

  /** Shares a database with a login on any cell: the permission on the owner's cell, the listing on the grantee's. */
  async share(actor: Actor, ref: DbRef, rawGrantee: string, access: Access): Promise<void> {
    const login = normalLogin(rawGrantee);
    const granteeCell = await this.dispatch.locate(login);
    const { db, at } = await this.#write(actor, ref, async (cell, as, at) => ({ db: await cell.grant(as, at.ref.dbId, { login, cellId: granteeCell }, access), at }), true);
    await this.#noteShared(login, granteeCell, { ownerCell: at.ref.cellId, dbId: at.ref.dbId, owner: db.owner, name: db.name, right: access });
  }

  async unshare(actor: Actor, ref: DbRef, rawGrantee: string): Promise<void> {
    const login = normalLogin(rawGrantee);
    const at = await this.#write(actor, ref, async (cell, as, at) => (await cell.revoke(as, at.ref.dbId, login), at), true);
    await this.#noteShared(login, await this.dispatch.locate(login), { ownerCell: at.ref.cellId, dbId: at.ref.dbId, right: null });
  }

  /** Updates a grantee's list on their cell, following them if they moved (the note is the same twice over). */
  async #noteShared(login: string, cellId: string, entry: SharedEntry | { ownerCell: string; dbId: number; right: null }): Promise<void> {
    for (let at: string | undefined = cellId, hop = 0; at && hop <= MAX_HOPS; hop++) {
      const cell = await this.cell(at);
      await cell.noteShared(login, entry);
      at = await movedUser(cell.store, login);
      if (at) this.#forget(login);
    }
  }

  async shares(actor: Actor, ref: DbRef) {
    return this.#read(actor, ref, (cell, as, dbId) => cell.shares(as, dbId));
  }

  // The locker --------------------------------------------------------------------------

  async hasLocker(actor: Actor): Promise<boolean> {
    const { cell, as } = await this.#home(actor);
    return cell.hasLocker(as);
  }

  /** Sets the locker password; a change the owner's move overtook (it found no row) is made again where they went. */
  async setLocker(actor: Actor, password: string, current?: string): Promise<void> {
    const { cell, as } = await this.#home(actor);
    await cell.setLocker(as, password, current);
    if (!(await movedUser(cell.store, as.login))) return;
    const there = await this.#home(as);
    const made = await there.cell.checkLocker(there.as, password).then(() => true, () => false);
    if (!made) await there.cell.setLocker(there.as, password, current);
  }

  async lock(actor: Actor, ref: DbRef): Promise<void> {
    return this.#write(actor, ref, (cell, as, at) => cell.lock(as, at.ref.dbId), true);
  }

  async unlockForGood(actor: Actor, ref: DbRef): Promise<void> {
    return this.#write(actor, ref, (cell, as, at) => cell.unlockForGood(as, at.ref.dbId), true);
  }

  /**
   * Opens a locked database for this session, for `UNLOCK_TIME`, given the locker password.
   * The session's token changes (a privilege change); the caller continues with the new one.
   */
  async unlock(session: Session, ref: DbRef, password: string): Promise<Session> {
    const { cell: home, as: actor } = await this.#home(this.actorOf(session));
    await this.throttle.check([`locker:${actor.login}`]);
    try {
      await home.checkLocker(actor, password);
    } catch (err) {
      if (err instanceof CoreError && err.kind === 'bad-password') await this.throttle.failed([`locker:${actor.login}`]);
      throw err;
    }
    // Unlocked under the address the database has now, should it have moved since the page was shown.
    const at = (await relocate((id) => this.cell(id), ref))?.ref ?? ref;
    return this.sessions.unlock(session, `${at.cellId}:${at.dbId}`, UNLOCK_TIME);
  }

  // Mail --------------------------------------------------------------------------------

  /** The mail application of one cell, for all its users (what the retry ticker works through). */
  async mailOfCell(cellId: string): Promise<Mail> {
    return this.#mailOf(await this.cell(cellId));
  }

  /** The mail application on the actor's own cell, following a user who moved (one queue of remote servers for the whole portal). */
  async mail(actor: Actor): Promise<Mail> {
    const { cell, as } = await this.#home(actor);
    return actingAs(await this.#mailOf(cell), actor, as);
  }

  #mailOf(cell: Cell): Promise<Mail> {
    let mail = this.#mail.get(cell);
    if (!mail) {
      mail = Mail.open(cell.id, cell.store, this.#mailOptions);
      mail.catch(() => this.#mail.delete(cell));
      this.#mail.set(cell, mail);
    }
    return mail;
  }

  async close(): Promise<void> {
    await this.traffic.close().catch(() => {});
    const cells = await Promise.allSettled(this.#cells.values());
    // A cell whose store went away closes as best it can; the others and the dispatch still do.
    for (const c of cells) if (c.status === 'fulfilled') await c.value.store.close().catch(() => {});
    await this.dispatch.store.close();
  }
}

/**
 * A part of the user's own cell (alarms, planner, mail), whose operations take the actor first:
 * when the user moved since their session began, it is handed the actor as followed to the new
 * cell in place of the one the caller still holds.
 */
function actingAs<T extends object>(part: T, actor: Actor, followed: Actor): T {
  if (followed === actor) return part;
  return new Proxy(part, {
    get(target, key) {
      const value = Reflect.get(target, key, target);
      if (typeof value !== 'function') return value;
      const same = (a: unknown) => a === actor || ((a as Actor | undefined)?.login === actor.login && (a as Actor).cellId === actor.cellId);
      return (first: unknown, ...rest: unknown[]) => value.apply(target, [same(first) ? followed : first, ...rest]);
    },
  });
}

export type { Actor, Database, User };
