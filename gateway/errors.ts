// The error boundary: any failure becomes a page in the device's own markup with a way back,
// under the HTTP status that fits; a stack trace never reaches a handset.
import type { Middleware, ParameterizedContext } from 'koa';
import { CoreError, type ErrorKind } from '../core/errors.ts';
import type { GatewayState } from './context.ts';
import { goTo, show } from './respond.ts';
import { MovedError } from '../core/dispatch/follow.ts';

const STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  'unknown-login': 404,
  'bad-password': 403,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  unavailable: 503,
  throttled: 429,
  locked: 403,
  'too-large': 413,
};

/** Thrown by the gateway itself for a request it cannot serve (unknown page, ended session). */
export class PageError extends Error {
  readonly status: number;
  readonly back: string;
  constructor(status: number, message: string, back = '/') {
    super(message);
    this.status = status;
    this.back = back;
  }
}

export function statusOf(err: CoreError): number {
  return STATUS[err.kind];
}

export function errorBoundary(log: (err: unknown) => void): Middleware<GatewayState> {
  return async (ctx, next) => {
    try {
      await next();
      if (ctx.status === 404 && ctx.body === undefined) throw new PageError(404, 'There is no such page.', homeOf(ctx));
    } catch (err) {
      // A locked database asks for the locker password where it was asked for, then goes on there.
      if (err instanceof CoreError && err.kind === 'locked' && ctx.state.links) return await askToUnlock(ctx, err.message);
      // A database that moved to another cell (issue 8) is shown from its new address, whose pages carry its new ids.
      if (err instanceof MovedError && ctx.state.links) return goTo(ctx, ctx.state.links.db(err.to));
      const { status, message, back } = describe(err, ctx);
      if (status >= 500) log(err);
      show(ctx, 'error', { title: status >= 500 ? 'Sorry' : 'Error', message, back, home: ctx.state.links?.home() }, status);
    }
  };
}

const DB_PATH = /^\/s\/[^/]+\/((?:d\/([a-z0-9_]+)\/(\d+)).*)$/;

/** The locker password form, posting back to where the user was going. */
async function askToUnlock(ctx: ParameterizedContext<GatewayState>, message: string): Promise<void> {
  const [, within, cellId, dbId] = DB_PATH.exec(ctx.path) ?? [];
  const { links, portal, actor } = ctx.state;
  if (!cellId) return show(ctx, 'error', { title: 'Locked', message, back: links.home(), home: links.home() }, 403);
  const ref = { cellId, dbId: Number(dbId) };
  const db = (await portal.databases(actor)).find((d) => d.cellId === cellId && d.dbId === ref.dbId);
  const next = ctx.method === 'GET' ? within : undefined;
  show(ctx, 'unlock', { title: 'Locker', message, db: { name: db?.name ?? '' }, action: links.unlock(ref, next), cancel: links.home(), home: links.home() }, 403);
}

function homeOf(ctx: ParameterizedContext<GatewayState>): string {
  return ctx.state.links?.home() ?? '/';
}

function describe(err: unknown, ctx: ParameterizedContext<GatewayState>): { status: number; message: string; back: string } {
  if (err instanceof PageError) return { status: err.status, message: err.message, back: err.back };
  if (err instanceof CoreError) return { status: statusOf(err), message: err.message, back: homeOf(ctx) };
  const e = err as { status?: number; expose?: boolean; message?: string };
  if (e?.status && e.status < 500 && e.expose) return { status: e.status, message: e.message ?? 'Bad request.', back: homeOf(ctx) };
  return { status: 500, message: 'Something went wrong on our side. Try again in a moment.', back: homeOf(ctx) };
}
