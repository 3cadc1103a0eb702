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
      ctx.state.session = session;
      ctx.state.actor = ctx.state.portal.actorOf(session);
      ctx.state.links = new Links(session.token);
      // A browser sends cookies-free forms too, so another site could make it post into a session
      // whose URL leaked; the secret in every HTML form says the form came from our page.
      if (ctx.method === 'POST' && ctx.state.device.markup === 'html' && ctx.state.form._csrf !== session.csrf) {
        throw new PageError(403, 'This form has expired. Go back, reload the page and send it again.', ctx.state.links.home());
      }
    }
    await next();
  };
}
