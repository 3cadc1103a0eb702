// The home screen (own and shared databases) and creating a database.
import type Router from '@koa/router';
import type { GatewayState } from '../context.ts';
import { CoreError } from '../../core/errors.ts';
import { showFitted } from '../fit.ts';
import { goTo, show } from '../respond.ts';
import { statusOf } from '../errors.ts';
import { offsetParam } from './params.ts';

const RIGHT_LABELS = { owner: 'owner', read: 'read', write: 'read/write' } as const;

export function homeRoutes(router: Router<GatewayState>): void {
  router.get('/s/:token/', async (ctx) => {
    const { portal, actor, links } = ctx.state;
    const from = offsetParam(ctx.state.form.from);
    const [user, all] = await Promise.all([portal.user(actor), portal.databases(actor)]);
    const items = all.slice(from);
    showFitted(ctx, 'home', items, false, (shown, next) => ({
      title: 'Databases',
      user: { login: user.login, name: user.name },
      dbs: shown.map((d) => ({ name: d.name, url: links.db(d), owner: d.owner, right: RIGHT_LABELS[d.right], shared: d.right !== 'owner', locked: d.locked })),
      newDb: links.newDb(),
      locker: links.locker(),
      alarms: links.alarms(),
      planner: links.day(),
      mail: `${links.base}/mail`,
      sync: `${links.base}/sync`,
      next: next === null ? undefined : links.home(from + next),
      prev: from > 0 ? links.home(Math.max(0, from - shown.length)) : undefined,
      logout: links.logout(),
    }));
  });

  const dbForm = (ctx: { state: GatewayState }, name = '', error?: string) => ({
    title: 'New database',
    action: ctx.state.links.newDb(),
    name,
    error,
    cancel: ctx.state.links.home(),
    home: ctx.state.links.home(),
    logout: ctx.state.links.logout(),
  });

  router.get('/s/:token/new', (ctx) => show(ctx, 'db_form', dbForm(ctx)));

  router.post('/s/:token/new', async (ctx) => {
    const name = ctx.state.form.name ?? '';
    try {
      const ref = await ctx.state.portal.createDatabase(ctx.state.actor, name);
      goTo(ctx, ctx.state.links.fields(ref));
    } catch (err) {
      if (!(err instanceof CoreError)) throw err;
      show(ctx, 'db_form', dbForm(ctx, name, err.message), statusOf(err));
    }
  });
}
