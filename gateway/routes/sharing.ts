// Sharing a database (seed 000, paragraphs 16-17): with whom and how, changing a right, stopping.
import type Router from '@koa/router';
import type { GatewayState, Ctx } from '../context.ts';
import type { Access } from '../../core/cell/cell.ts';
import type { DbRef } from '../../core/portal.ts';
import { CoreError } from '../../core/errors.ts';
import { normalLogin } from '../../core/dispatch/dispatch.ts';
import { goTo, show } from '../respond.ts';
import { statusOf } from '../errors.ts';
import { dbParam } from './params.ts';

const RIGHTS: { value: Access; label: string }[] = [
  { value: 'read', label: 'Read' },
  { value: 'write', label: 'Read/write' },
];
const RIGHT_WORDS: Record<Access, string> = { read: 'read', write: 'read/write' };

async function sharePage(ctx: Ctx, ref: DbRef, values: { login?: string; right?: string } = {}) {
  const { portal, actor, links } = ctx.state;
  const [db, shares] = await Promise.all([portal.database(actor, ref), portal.shares(actor, ref)]);
  return {
    title: 'Share',
    db: { name: db.name, url: links.db(ref) },
    shares: shares.map((s) => ({ login: s.login, right: RIGHT_WORDS[s.right], revoke: links.revoke(ref, s.login) })),
    action: links.share(ref),
    rights: RIGHTS.map((r) => ({ ...r, selected: r.value === (values.right ?? 'read') })),
    login: values.login ?? '',
    home: links.home(),
    logout: links.logout(),
  };
}

export function sharingRoutes(router: Router<GatewayState>): void {
  router.get('/s/:token/d/:cell/:db/share', async (ctx) => {
    show(ctx, 'share', await sharePage(ctx, dbParam(ctx.params)));
  });

  router.post('/s/:token/d/:cell/:db/share', async (ctx) => {
    const ref = dbParam(ctx.params);
    const login = normalLogin(ctx.state.form.login ?? '');
    const right = ctx.state.form.right === 'write' ? 'write' : 'read';
    try {
      await ctx.state.portal.share(ctx.state.actor, ref, login, right);
      show(ctx, 'share', { ...(await sharePage(ctx, ref)), notice: `Shared with ${login}, ${RIGHT_WORDS[right]}.` });
    } catch (err) {
      // An unknown login is a mistake in the form here, like an invalid one.
      if (!(err instanceof CoreError) || !['invalid', 'conflict', 'unknown-login'].includes(err.kind)) throw err;
      show(ctx, 'share', { ...(await sharePage(ctx, ref, { login, right })), error: err.message }, statusOf(err));
    }
  });

  router.get('/s/:token/d/:cell/:db/share/revoke', async (ctx) => {
    const { portal, actor, links } = ctx.state;
    const ref = dbParam(ctx.params);
    const login = normalLogin(ctx.state.form.login ?? '');
    const db = await portal.database(actor, ref);
    show(ctx, 'confirm', { title: 'Stop sharing', message: `Stop sharing ${db.name} with ${login}?`, action: links.revoke(ref, login), yes: 'Stop sharing', cancel: links.share(ref), home: links.home(), logout: links.logout() });
  });

  router.post('/s/:token/d/:cell/:db/share/revoke', async (ctx) => {
    const ref = dbParam(ctx.params);
    await ctx.state.portal.unshare(ctx.state.actor, ref, ctx.state.form.login ?? '');
    goTo(ctx, ctx.state.links.share(ref));
  });
}
