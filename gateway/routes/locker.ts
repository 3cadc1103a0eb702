// The locker (seed 000, paragraph 95): a second password, and databases that ask for it.
import type Router from '@koa/router';
import type { GatewayState, Ctx } from '../context.ts';
import { CoreError } from '../../core/errors.ts';
import { goTo, show } from '../respond.ts';
import { statusOf } from '../errors.ts';
import { dbParam } from './params.ts';
import { localNext } from '../links.ts';

async function lockerPage(ctx: Ctx) {
  const { portal, actor, links } = ctx.state;
  const [hasLocker, dbs] = await Promise.all([portal.hasLocker(actor), portal.databases(actor)]);
  return {
    title: 'Locker',
    hasLocker,
    action: links.locker(),
    dbs: dbs
      .filter((d) => d.right === 'owner')
      .map((d) => ({ name: d.name, url: links.db(d), locked: d.locked, toggle: links.lockToggle(d), toggleLabel: d.locked ? 'Take out' : 'Put in locker' })),
    home: links.home(),
    logout: links.logout(),
  };
}

export function lockerRoutes(router: Router<GatewayState>): void {
  router.get('/s/:token/locker', async (ctx) => show(ctx, 'locker', await lockerPage(ctx)));

  router.post('/s/:token/locker', async (ctx) => {
    const { password = '', current = '' } = ctx.state.form;
    try {
      await ctx.state.portal.setLocker(ctx.state.actor, password, current);
      show(ctx, 'locker', { ...(await lockerPage(ctx)), notice: 'Locker password saved.' });
    } catch (err) {
      if (!(err instanceof CoreError) || !['invalid', 'bad-password', 'throttled'].includes(err.kind)) throw err;
      show(ctx, 'locker', { ...(await lockerPage(ctx)), error: err.message }, statusOf(err));
    }
  });

  router.get('/s/:token/d/:cell/:db/lock', async (ctx) => {
    const { portal, actor, links } = ctx.state;
    const ref = dbParam(ctx.params);
    const db = (await portal.databases(actor)).find((d) => d.cellId === ref.cellId && d.dbId === ref.dbId && d.right === 'owner');
    if (!db) throw new CoreError('forbidden', 'Only the owner can put a database in the locker.');
    const message = db.locked ? `Take ${db.name} out of the locker?` : `Put ${db.name} in the locker? It will ask for the locker password.`;
    show(ctx, 'confirm', { title: 'Locker', message, action: links.lockToggle(ref), yes: db.locked ? 'Take out' : 'Lock', cancel: links.locker(), home: links.home(), logout: links.logout() });
  });

  router.post('/s/:token/d/:cell/:db/lock', async (ctx) => {
    const { portal, actor, links } = ctx.state;
    const ref = dbParam(ctx.params);
    const db = (await portal.databases(actor)).find((d) => d.cellId === ref.cellId && d.dbId === ref.dbId);
    try {
      if (db?.locked) await portal.unlockForGood(actor, ref);
      else await portal.lock(actor, ref);
      goTo(ctx, links.locker());
    } catch (err) {
      if (!(err instanceof CoreError) || !['invalid', 'conflict'].includes(err.kind)) throw err;
      show(ctx, 'locker', { ...(await lockerPage(ctx)), error: err.message }, statusOf(err));
    }
  });

  router.post('/s/:token/d/:cell/:db/unlock', async (ctx) => {
    const { portal, links } = ctx.state;
    const ref = dbParam(ctx.params);
    const next = ctx.state.form.next ?? '';
    try {
      const session = await portal.unlock(ctx.state.session, ref, ctx.state.form.password ?? '');
      // The token changed with the privilege: go on with the new one.
      goTo(ctx, `/s/${session.token}/${localNext(next) ?? `d/${ref.cellId}/${ref.dbId}`}`);
    } catch (err) {
      if (!(err instanceof CoreError) || !['invalid', 'bad-password', 'throttled'].includes(err.kind)) throw err;
      const db = (await portal.databases(ctx.state.actor)).find((d) => d.cellId === ref.cellId && d.dbId === ref.dbId);
      show(ctx, 'unlock', { title: 'Locker', error: err.message, db: { name: db?.name ?? '' }, action: links.unlock(ref, next || undefined), cancel: links.home(), home: links.home() }, statusOf(err));
    }
  });
}
