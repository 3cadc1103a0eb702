// Resolves the session token carried in the path (`/s/<token>/…`) into the acting user.
import type { Middleware } from 'koa';
import type { GatewayState } from './context.ts';
import { Links, loginLinks } from './links.ts';
import { PageError } from './errors.ts';

const SESSION_PATH = /^\/s\/([^/]+)(\/|$)/;

export function sessionResolver(): Middleware<GatewayState> {
  return async (ctx, next) => {
    const match = SESSION_PATH.exec(ctx.path);
    if (match) {
      const session = await ctx.state.portal.sessions.resume(match[1]);
      if (!session) throw new PageError(403, 'Your session has ended. Please log in again.', loginLinks.form);
      ctx.state.token = session.token;
      ctx.state.actor = { login: session.login, cellId: session.cellId };
      ctx.state.links = new Links(session.token);
    }
    await next();
  };
}
