// What can go wrong in a core operation, in words a user can be shown.
// The gateway maps each kind to an HTTP status and renders the message in the device's markup.

export type ErrorKind =
  | 'invalid'
  | 'unknown-login'
  | 'bad-password'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'unavailable'
  /** Too many failed logins: wait before trying again. */
  | 'throttled'
  /** The database is in its owner's locker and not opened in this session. */
  | 'locked'
  /** A value longer than its field holds: refused whole, as a size and not as a mistake (HTTP and SyncML 413). */
  | 'too-large';

export class CoreError extends Error {
  readonly kind: ErrorKind;
  /** The form field the error is about, when there is one. */
  readonly field?: string;
  constructor(kind: ErrorKind, message: string, field?: string) {
    super(message);
    this.name = 'CoreError';
    this.kind = kind;
    this.field = field;
  }
}

export const invalid = (message: string, field?: string) => new CoreError('invalid', message, field);
export const forbidden = (message: string) => new CoreError('forbidden', message);
export const notFound = (message: string) => new CoreError('not-found', message);
export const tooLarge = (message: string, field?: string) => new CoreError('too-large', message, field);
export const conflict = (message: string, field?: string) => new CoreError('conflict', message, field);
