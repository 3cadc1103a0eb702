// Every URL a page emits, in one place. The session token rides in the path (`/s/<token>/…`),
// because WAP 1.x and i-mode clients keep no cookies; relative paths keep the bytes down.
import type { DbRef } from '../core/portal.ts';

const query = (params: Record<string, string | number | undefined>) => {
  const pairs = Object.entries(params).filter(([, v]) => v !== undefined && v !== '' && v !== 0);
  return pairs.length ? '?' + pairs.map(([k, v]) => `${k}=${encodeURIComponent(String(v))}`).join('&') : '';
};

/** A form cut to fit a handset: it shows the fields from `from`; `next` is where the following part starts. */
export interface FormPart {
  from?: number;
  next?: number;
}

/**
 * Where to go on inside a session after a login or an unlock: a path of ours relative to the
 * session (`a/5`, `d/c1/3/r/7`), never a URL elsewhere; undefined when `raw` is not one.
 */
export function localNext(raw: string | undefined): string | undefined {
  return raw && /^(?!.*\.\.)[A-Za-z0-9_-][A-Za-z0-9_/-]*$/.test(raw) ? raw : undefined;
}

/** The login steps; `next` (see localNext) rides along in their query to the session. */
export const loginLinks = {
  form: '/',
  login: (next?: string) => `/login${query({ next: localNext(next) })}`,
  password: (next?: string) => `/login/password${query({ next: localNext(next) })}`,
};

export class Links {
  readonly base: string;
  constructor(token: string) {
    this.base = `/s/${token}`;
  }
  home(from = 0) {
    return `${this.base}/${query({ from })}`;
  }
  logout() {
    return `${this.base}/logout`;
  }
  newDb() {
    return `${this.base}/new`;
  }
  db(ref: DbRef, from = 0) {
    return `${this.base}/d/${ref.cellId}/${ref.dbId}${query({ from })}`;
  }
  fields(ref: DbRef) {
    return `${this.base}/d/${ref.cellId}/${ref.dbId}/fields`;
  }
  /** The form for a new record; `part` names the fields shown when a form is cut to fit (see records.ts). */
  newRecord(ref: DbRef, part: FormPart = {}) {
    return `${this.base}/d/${ref.cellId}/${ref.dbId}/new${query({ ...part })}`;
  }
  record(ref: DbRef, id: number, from = 0) {
    return `${this.base}/d/${ref.cellId}/${ref.dbId}/r/${id}${query({ from })}`;
  }
  editRecord(ref: DbRef, id: number, part: FormPart = {}) {
    return `${this.base}/d/${ref.cellId}/${ref.dbId}/r/${id}/edit${query({ ...part })}`;
  }
  deleteRecord(ref: DbRef, id: number) {
    return `${this.base}/d/${ref.cellId}/${ref.dbId}/r/${id}/delete`;
  }
  search(ref: DbRef, q: { f?: string; op?: string; q?: string } = {}) {
    return `${this.base}/d/${ref.cellId}/${ref.dbId}/search${query(q)}`;
  }
  share(ref: DbRef) {
    return `${this.base}/d/${ref.cellId}/${ref.dbId}/share`;
  }
  revoke(ref: DbRef, login: string) {
    return `${this.base}/d/${ref.cellId}/${ref.dbId}/share/revoke${query({ login })}`;
  }
  locker() {
    return `${this.base}/locker`;
  }
  /** Puts the database in the locker, or takes it out (a confirm page, then a POST). */
  lockToggle(ref: DbRef) {
    return `${this.base}/d/${ref.cellId}/${ref.dbId}/lock`;
  }
  /** Where the locker password is posted; `next` (a path inside the session) is where to go on, with the new token. */
  unlock(ref: DbRef, next?: string) {
    return `${this.base}/d/${ref.cellId}/${ref.dbId}/unlock${query({ next })}`;
  }
  /** A path the core names relative to a session (an alarm's `d/c1/3/r/7`, `p/e/2`). */
  inSession(path: string) {
    return `${this.base}/${path}`;
  }
  /** One notice: opens what it is about (see routes/alarms.ts). */
  notice(id: number) {
    return `${this.base}/a/${id}`;
  }
  alarms(from = 0) {
    return `${this.base}/alarms${query({ from })}`;
  }
  alarmsSet(from = 0) {
    return `${this.base}/alarms/set${query({ from })}`;
  }
  alarmContact() {
    return `${this.base}/alarms/contact`;
  }
  /** What an alarm field watches, how it compares and what it does. */
  alarmField(ref: DbRef, fieldId: number) {
    return `${this.base}/d/${ref.cellId}/${ref.dbId}/fields/${fieldId}/alarm`;
  }
  /** The planner's day (YYYY-MM-DD; today without one). */
  day(day?: string, from = 0) {
    return `${this.base}/p${query({ day, from })}`;
  }
  week(day?: string) {
    return `${this.base}/p/week${query({ day })}`;
  }
  newEvent(day?: string) {
    return `${this.base}/p/new${query({ day })}`;
  }
  event(id: number) {
    return `${this.base}/p/e/${id}`;
  }
  editEvent(id: number) {
    return `${this.base}/p/e/${id}/edit`;
  }
  deleteEvent(id: number) {
    return `${this.base}/p/e/${id}/delete`;
  }
  calendar() {
    return `${this.base}/p/calendar.ics`;
  }
  results(ref: DbRef, q: { f: string; op: string; q: string }, from = 0) {
    return `${this.base}/d/${ref.cellId}/${ref.dbId}/find${query({ ...q, from })}`;
  }
}
