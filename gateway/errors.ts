// The error boundary: any failure becomes a page in the device's own markup with a way back,
// under the HTTP status that fits; a stack trace never reaches a handset.
import type { Middleware, ParameterizedContext } from 'koa';
import { CoreError, type ErrorKind } from '../core/errors.ts';
import type { GatewayState } from './context.ts';
import { show } from './respond.ts';

const STATUS: Record<ErrorKind, number> = {
  invalid: 400,
  'unknown-login': 404,
  'bad-password': 403,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  unavailable: 503,
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
      const { status, message, back } = describe(err, ctx);
      if (status >= 500) log(err);
      show(ctx, 'error', { title: status >= 500 ? 'Sorry' : 'Error', message, back, home: ctx.state.links?.home() }, status);
    }
  };
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
