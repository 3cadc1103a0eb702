// The two-step login of seed 000: the dispatch finds the login's cell, then that cell checks the password.
import type Router from '@koa/router';
import type { GatewayState } from '../context.ts';
import { CoreError } from '../../core/errors.ts';
import { loginLinks } from '../links.ts';
import { goTo, show } from '../respond.ts';
import { statusOf } from '../errors.ts';

const loginForm = (login = '', error?: string) => ({ title: 'Log in', action: loginLinks.login, login, error });

export function loginRoutes(router: Router<GatewayState>): void {
  router.get('/', (ctx) => show(ctx, 'login', loginForm()));

  router.post('/login', async (ctx) => {
    const login = ctx.state.form.login ?? '';
    try {
      await ctx.state.portal.locate(login);
    } catch (err) {
      if (!(err instanceof CoreError)) throw err;
      return show(ctx, 'login', loginForm(login, err.message), statusOf(err));
    }
    show(ctx, 'password', { title: 'Password', action: loginLinks.password, login: login.trim().toLowerCase(), back: loginLinks.form });
  });

  router.post('/login/password', async (ctx) => {
    const { login = '', password = '' } = ctx.state.form;
    try {
      const { session } = await ctx.state.portal.login(login, password);
      goTo(ctx, `/s/${session.token}/`);
    } catch (err) {
      if (!(err instanceof CoreError)) throw err;
      const view = err.kind === 'bad-password' ? 'password' : 'login';
      show(ctx, view, { ...loginForm(login, err.message), title: view === 'password' ? 'Password' : 'Log in', action: view === 'password' ? loginLinks.password : loginLinks.login, back: loginLinks.form }, statusOf(err));
    }
  });

  router.get('/s/:token/logout', async (ctx) => {
    await ctx.state.portal.sessions.end(ctx.state.token);
    show(ctx, 'login', { ...loginForm(), notice: 'You are logged out.' });
  });
}
