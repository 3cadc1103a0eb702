// What the gateway remembers of failed attempts on a server, for an account (reading) and for an
// outbox message (sending) alike: a refused password stops all attempts until the password is
// typed again (a server penalises every user behind our one address for repeated failures); any
// other failure waits, twice as long after each failure in a row, before the next attempt.
import type { SqlValue, Store } from '../store/store.ts';
import { CoreError } from '../errors.ts';
import type { MailFailure } from './server.ts';

export interface Attempts {
  id: number;
  state: string;
  problem: string;
  retry_at: number;
  failures: number;
}

const MAX_WAIT_MS = 60 * 60_000;
export const clock = (ms: number) => new Date(ms).toISOString().slice(11, 16) + ' UTC';

/** What happens next after a failure, for the screens: the tick tries again, or the user must act. */
export function nextStep(state: string, retryAt: number): string {
  if (state === 'bad-password') return "Nothing is tried until you type the password again in the account's settings.";
  if (state === 'retry') return `Tried again by itself after ${clock(retryAt)}.`;
  return '';
}

/** Throws, before any connection, when the last failure says not to try now. */
export function refuseIfWaiting(a: Attempts, now: number): void {
  if (a.state === 'bad-password') throw new CoreError('bad-password', `${a.problem} Type the password again in the account's settings.`);
  if (Number(a.retry_at) > now) throw new CoreError('unavailable', `${a.problem} Try again after ${clock(Number(a.retry_at))}.`);
}

/** More columns set in the same UPDATE as the outcome, so that the row never shows one without the other. */
export interface AlsoSet {
  set: string;
  params: SqlValue[];
}

const nothing: AlsoSet = { set: '', params: [] };
const and = (also: AlsoSet) => (also.set ? `, ${also.set}` : '');

/** Records a failure on `table`'s row and returns what the user is told. */
export async function noteFailure(
  store: Store,
  table: 'mail_accounts' | 'mail_messages',
  a: Attempts,
  failure: MailFailure,
  now: number,
  firstWaitMs: number,
  also: AlsoSet = nothing,
): Promise<CoreError> {
  if (failure.kind === 'bad-password') {
    await store.run(`UPDATE ${table} SET state = 'bad-password', problem = ?${and(also)} WHERE id = ?`, [failure.message, ...also.params, a.id]);
    return new CoreError('bad-password', `${failure.message} Nothing more is tried until you type the password again in the account's settings.`);
  }
  const failures = Number(a.failures) + 1;
  const retryAt = now + Math.min(firstWaitMs * 2 ** (failures - 1), MAX_WAIT_MS);
  await store.run(`UPDATE ${table} SET state = 'retry', problem = ?, failures = ?, retry_at = ?${and(also)} WHERE id = ?`, [failure.message, failures, retryAt, ...also.params, a.id]);
  return new CoreError('unavailable', `${failure.message} Try again after ${clock(retryAt)}.`);
}

export async function noteSuccess(store: Store, table: 'mail_accounts' | 'mail_messages', id: number, also: AlsoSet = nothing): Promise<void> {
  await store.run(`UPDATE ${table} SET state = 'ok', problem = '', failures = 0, retry_at = 0${and(also)} WHERE id = ?`, [...also.params, id]);
}
