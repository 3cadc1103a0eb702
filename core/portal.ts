// The portal: the one door the gateway (and the admin command) uses into the core.
// It asks the dispatch where a login or a database lives and hands the operation to that cell;
// the cells do every permission check themselves.
import { openStore } from './store/open.ts';
import { storeUrlFor } from './store/locate.ts';
import { Dispatch, checkLogin, normalLogin } from './dispatch/dispatch.ts';
import { Sessions, type Session, type SessionLimits } from './dispatch/sessions.ts';
import { LoginThrottle, type ThrottleRules } from './dispatch/throttle.ts';
import { Cell, type Access, type Actor, type Database, type NewField, type Page, type SharedEntry, type User } from './cell/cell.ts';
import type { StoredRecord, RecordInput } from './cell/records.ts';
import type { Query } from './cell/search.ts';
import { CoreError, invalid, notFound } from './errors.ts';
import type { CellAlarms } from './alarms/alarms.ts';
import type { Planner } from './planner/planner.ts';
import { Mail } from './mail/mail.ts';
import { mailOptions, type MailSettings } from './mail/settings.ts';

/** A database anywhere in the system: the cell that hosts it and its id there. */
export interface DbRef {
  cellId: string;
  dbId: number;
}

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
}

export class Portal {
  readonly dispatch: Dispatch;
  readonly sessions: Sessions;
  readonly throttle: LoginThrottle;
  readonly #base: string;
  readonly #cells = new Map<string, Promise<Cell>>();
  readonly #mail = new Map<string, Promise<Mail>>();
  #mailOptions = mailOptions();

  private constructor(base: string, dispatch: Dispatch, sessions: Sessions, throttle: LoginThrottle) {
    this.#base = base;
    this.dispatch = dispatch;
    this.sessions = sessions;
    this.throttle = throttle;
  }

  /** Opens the system whose stores derive from `base` (see store/locate.ts). */
  static async open(base: string, options: PortalOptions = {}): Promise<Portal> {
    const store = await openStore(storeUrlFor(base, 'dispatch'));
    const dispatch = await Dispatch.open(store);
    const portal = new Portal(base, dispatch, new Sessions(store, options.sessions, options.now), new LoginThrottle(store, options.throttle, options.now));
    portal.#mailOptions = mailOptions(options.mail, options.now);
    return portal;
  }

  /** The cell to run an operation on `ref` with: a user of another cell comes vouched for by their own. */
  async #at(actor: Actor, ref: DbRef): Promise<{ cell: Cell; as: Actor }> {
    const cell = await this.cell(ref.cellId);
    if (ref.cellId === actor.cellId) return { cell, as: actor };
    return { cell, as: { ...actor, assertion: (await this.cell(actor.cellId)).vouch(actor.login, ref.cellId) } };
  }

  /** The cell object for an id, opened once from the store URL the registry names. */
  cell(id: string): Promise<Cell> {
    let cell = this.#cells.get(id);
    if (!cell) {
      cell = (async () => {
        const info = await this.dispatch.cell(id);
        if (!info) throw notFound(`There is no cell "${id}".`);
        const opened = await Cell.open(id, await openStore(info.storeUrl), (cellId) => this.dispatch.publicKey(cellId));
        await this.dispatch.publishKey(id, opened.publicPem);
        return opened;
      })();
      cell.catch(() => this.#cells.delete(id));
      this.#cells.set(id, cell);
    }
    return cell;
  }

  // Administration --------------------------------------------------------------

  /** Registers a cell; its store defaults to one derived from the base URL. */
  async addCell(id: string, capacity: number, storeUrl = storeUrlFor(this.#base, `cell_${id}`)) {
    const info = await this.dispatch.addCell(id, storeUrl, capacity);
    await this.cell(id);
    return info;
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
      const cell = await this.cell(await this.locate(login));
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
    const user = await (await this.cell(actor.cellId)).user(actor.login);
    if (!user) throw new CoreError('forbidden', 'Your account no longer exists here.');
    return user;
  }

  // Databases ------------------------------------------------------------------------------

  /** The user's own databases, then those shared with them, as the home screen lists them. */
  async databases(actor: Actor): Promise<DatabaseEntry[]> {
    const home = await this.cell(actor.cellId);
    const own = (await home.ownDatabases(actor)).map((d) => ({ cellId: home.id, dbId: d.id, name: d.name, owner: actor.login, right: 'owner' as const, locked: d.locked }));
    const shared = (await home.sharedWith(actor)).map((s) => ({ cellId: s.ownerCell, dbId: s.dbId, name: s.name, owner: s.owner, right: s.right, locked: false }));
    return [...own, ...shared];
  }

  async createDatabase(actor: Actor, name: string): Promise<DbRef> {
    const dbId = await (await this.cell(actor.cellId)).createDatabase(actor, name);
    return { cellId: actor.cellId, dbId };
  }

  async database(actor: Actor, ref: DbRef): Promise<Database> {
    const { cell, as } = await this.#at(actor, ref);
    return cell.access(as, ref.dbId);
  }

  async addField(actor: Actor, ref: DbRef, spec: NewField) {
    const { cell, as } = await this.#at(actor, ref);
    return cell.addField(as, ref.dbId, spec);
  }

  async setAlarm(actor: Actor, ref: DbRef, fieldId: number, spec: Pick<NewField, 'watch' | 'op' | 'event'>) {
    const { cell, as } = await this.#at(actor, ref);
    return cell.setAlarm(as, ref.dbId, fieldId, spec);
  }

  // Alarms and the planner live on the user's own cell (core/alarms, core/planner) --------------

  async alarms(actor: Actor): Promise<CellAlarms> {
    return (await this.cell(actor.cellId)).alarms;
  }

  async planner(actor: Actor): Promise<Planner> {
    return (await this.cell(actor.cellId)).planner;
  }

  // Records ------------------------------------------------------------------------------

  async records(actor: Actor, ref: DbRef, offset: number, limit: number): Promise<{ db: Database } & Page<StoredRecord>> {
    const { cell, as } = await this.#at(actor, ref);
    return cell.records(as, ref.dbId, offset, limit);
  }

  async record(actor: Actor, ref: DbRef, recordId: number) {
    const { cell, as } = await this.#at(actor, ref);
    return cell.record(as, ref.dbId, recordId);
  }

  async createRecord(actor: Actor, ref: DbRef, input: RecordInput): Promise<number> {
    const { cell, as } = await this.#at(actor, ref);
    return cell.createRecord(as, ref.dbId, input);
  }

  async importRecords(actor: Actor, ref: DbRef, inputs: readonly RecordInput[]): Promise<number[]> {
    const { cell, as } = await this.#at(actor, ref);
    return cell.importRecords(as, ref.dbId, inputs);
  }

  async updateRecord(actor: Actor, ref: DbRef, recordId: number, input: RecordInput): Promise<void> {
    const { cell, as } = await this.#at(actor, ref);
    return cell.updateRecord(as, ref.dbId, recordId, input);
  }

  async deleteRecord(actor: Actor, ref: DbRef, recordId: number): Promise<void> {
    const { cell, as } = await this.#at(actor, ref);
    return cell.deleteRecord(as, ref.dbId, recordId);
  }

  async search(actor: Actor, ref: DbRef, query: Query, offset: number, limit: number): Promise<{ db: Database } & Page<StoredRecord>> {
    const { cell, as } = await this.#at(actor, ref);
    return cell.search(as, ref.dbId, query, offset, limit);
  }

  // Sharing ------------------------------------------------------------------------------

  /** Shares a database with a login on any cell: the permission on the owner's cell, the listing on the grantee's. */
  async share(actor: Actor, ref: DbRef, rawGrantee: string, access: Access): Promise<void> {
    const login = normalLogin(rawGrantee);
    const granteeCell = await this.dispatch.locate(login);
    const db = await (await this.cell(ref.cellId)).grant(actor, ref.dbId, { login, cellId: granteeCell }, access);
    const entry: SharedEntry = { ownerCell: ref.cellId, dbId: ref.dbId, owner: db.owner, name: db.name, right: access };
    await (await this.cell(granteeCell)).noteShared(login, entry);
  }

  async unshare(actor: Actor, ref: DbRef, rawGrantee: string): Promise<void> {
    const login = normalLogin(rawGrantee);
    await (await this.cell(ref.cellId)).revoke(actor, ref.dbId, login);
    const granteeCell = await this.dispatch.locate(login);
    await (await this.cell(granteeCell)).noteShared(login, { ownerCell: ref.cellId, dbId: ref.dbId, right: null });
  }

  async shares(actor: Actor, ref: DbRef) {
    const { cell, as } = await this.#at(actor, ref);
    return cell.shares(as, ref.dbId);
  }

  // The locker --------------------------------------------------------------------------

  async hasLocker(actor: Actor): Promise<boolean> {
    return (await this.cell(actor.cellId)).hasLocker(actor);
  }

  async setLocker(actor: Actor, password: string, current?: string): Promise<void> {
    return (await this.cell(actor.cellId)).setLocker(actor, password, current);
  }

  async lock(actor: Actor, ref: DbRef): Promise<void> {
    const { cell, as } = await this.#at(actor, ref);
    return cell.lock(as, ref.dbId);
  }

  async unlockForGood(actor: Actor, ref: DbRef): Promise<void> {
    const { cell, as } = await this.#at(actor, ref);
    return cell.unlockForGood(as, ref.dbId);
  }

  /**
   * Opens a locked database for this session, for `UNLOCK_TIME`, given the locker password.
   * The session's token changes (a privilege change); the caller continues with the new one.
   */
  async unlock(session: Session, ref: DbRef, password: string): Promise<Session> {
    const actor = this.actorOf(session);
    const home = await this.cell(actor.cellId);
    await this.throttle.check([`locker:${actor.login}`]);
    try {
      await home.checkLocker(actor, password);
    } catch (err) {
      if (err instanceof CoreError && err.kind === 'bad-password') await this.throttle.failed([`locker:${actor.login}`]);
      throw err;
    }
    return this.sessions.unlock(session, `${ref.cellId}:${ref.dbId}`, UNLOCK_TIME);
  }

  // Mail --------------------------------------------------------------------------------

  /** The mail application on the actor's own cell (one queue of remote servers for the whole portal). */
  mail(actor: Pick<Actor, 'cellId'>): Promise<Mail> {
    let mail = this.#mail.get(actor.cellId);
    if (!mail) {
      mail = this.cell(actor.cellId).then((cell) => Mail.open(cell.id, cell.store, this.#mailOptions));
      mail.catch(() => this.#mail.delete(actor.cellId));
      this.#mail.set(actor.cellId, mail);
    }
    return mail;
  }

  async close(): Promise<void> {
    const cells = await Promise.allSettled(this.#cells.values());
    for (const c of cells) if (c.status === 'fulfilled') await c.value.store.close();
    await this.dispatch.store.close();
  }
}

export type { Actor, Database, User };
