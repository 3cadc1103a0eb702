// The two-step login of seed 000: the dispatch finds the login's cell, then that cell checks the password.
import type Router from '@koa/router';
import type { GatewayState, Ctx } from '../context.ts';
import { CoreError } from '../../core/errors.ts';
import { normalLogin } from '../../core/dispatch/dispatch.ts';
import { Links, localNext, loginLinks } from '../links.ts';
import { goTo, show } from '../respond.ts';
import { statusOf } from '../errors.ts';

/** The login form; `next`: where to go on after it (a path of ours only, see localNext). */
export const loginPage = (login = '', error?: string, next?: string) => ({ title: 'Log in', action: loginLinks.login(next), login, error });
const passwordPage = (login: string, error?: string, next?: string) => ({ title: 'Password', action: loginLinks.password(next), login, back: loginLinks.form, error });

/** Shows the login step a core refusal belongs to, with its message. */
function askAgain(ctx: Ctx, err: unknown, login: string): void {
  if (!(err instanceof CoreError)) throw err;
  const next = ctx.state.form.next;
  if (err.kind === 'bad-password') show(ctx, 'password', passwordPage(login, err.message, next), statusOf(err));
  else show(ctx, 'login', loginPage(login, err.message, next), statusOf(err));
}

export function loginRoutes(router: Router<GatewayState>): void {
  router.get('/', (ctx) => show(ctx, 'login', loginPage()));

  router.post('/login', async (ctx) => {
    const login = normalLogin(ctx.state.form.login ?? '');
    try {
      await ctx.state.portal.locate(login);
      show(ctx, 'password', passwordPage(login, undefined, ctx.state.form.next));
    } catch (err) {
      askAgain(ctx, err, login);
    }
  });

  router.post('/login/password', async (ctx) => {
    const { login = '', password = '' } = ctx.state.form;
    try {
      const { session } = await ctx.state.portal.login(login, password, ctx.ip);
      // Where the user was going (the alarm an SMS links to), if it is a path of ours; else
      // "notify at next login": alarms not yet seen are the first thing shown.
      const next = localNext(ctx.state.form.next);
      if (next) return goTo(ctx, `/s/${session.token}/${next}`);
      const actor = ctx.state.portal.actorOf(session);
      const unseen = await (await ctx.state.portal.alarms(actor)).unseenCount(actor);
      goTo(ctx, unseen ? new Links(session.token).alarms() : `/s/${session.token}/`);
    } catch (err) {
      askAgain(ctx, err, normalLogin(login));
    }
  });

  router.get('/s/:token/logout', async (ctx) => {
    await ctx.state.portal.sessions.end(ctx.state.token);
    show(ctx, 'login', { ...loginPage(), notice: 'You are logged out.' });
  });
}
