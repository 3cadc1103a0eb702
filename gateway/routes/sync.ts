// The sync screens: how a phone or PIM reaches /sync, the conflict policy, the remote portals
// (seed 002) with "Sync now" and what the last sync did, and the downloadable PIM configuration.
import type Router from '@koa/router';
import type { GatewayState, Ctx } from '../context.ts';
import { CoreError } from '../../core/errors.ts';
import { goTo, show } from '../respond.ts';
import { statusOf } from '../errors.ts';
import { POLICIES, conflictPolicy, enableMd5, hasMd5Secret, setConflictPolicy } from '../../core/sync/accounts.ts';
import { MODES, MODE_NAMES } from '../../core/sync/modes.ts';
import { PORTAL_DATABASES, addRemotePortal, remotePortal, remotePortals, removeRemotePortal, type PortalInput, type SyncReport } from '../../core/sync/portals.ts';
import { syncWithPortal } from '../sync/client.ts';
import { syncEvolutionScript, PIMS, type PimName } from '../sync/download.ts';

const POLICY_LABELS = { ours: 'This server wins', theirs: 'The phone wins', duplicate: 'Keep both' } as const;

const syncLinks = (ctx: Ctx) => {
  const base = `${ctx.state.links.base}/sync`;
  return {
    home: base,
    policy: `${base}/policy`,
    md5: `${base}/md5`,
    newPortal: `${base}/new`,
    portal: (id: number) => `${base}/p/${id}`,
    remove: (id: number) => `${base}/p/${id}/delete`,
    download: (pim: string) => `${base}/syncevolution-${pim}.sh`,
  };
};

/** One line saying what a sync did. */
export function reportLine(r: SyncReport | undefined): string {
  if (!r) return 'Not synced yet.';
  const when = new Date(r.at).toISOString().slice(0, 16).replace('T', ' ');
  if (!r.ok) return `${when}: failed. ${r.error ?? ''}`.trim();
  const kind = r.type === 201 ? 'slow' : r.type === 203 || r.type === 205 ? 'replace' : r.type === 202 || r.type === 204 ? 'one-way' : 'two-way';
  return `${when}, ${kind}: sent ${r.sent.added} new, ${r.sent.replaced} changed, ${r.sent.deleted} deleted; got ${r.received.added} new, ${r.received.replaced} changed, ${r.received.deleted} deleted.`;
}

async function homeModel(ctx: Ctx) {
  const { portal, actor, links } = ctx.state;
  const l = syncLinks(ctx);
  const [policy, portals, md5] = await Promise.all([conflictPolicy(portal, actor), remotePortals(portal, actor), hasMd5Secret(portal, actor.login)]);
  return {
    title: 'Sync',
    serverUrl: `${ctx.protocol}://${ctx.host}/sync`,
    login: actor.login,
    policyAction: l.policy,
    policies: POLICIES.map((p) => ({ value: p, label: POLICY_LABELS[p], selected: p === policy })),
    policy,
    md5,
    md5Action: l.md5,
    portals: portals.map((p) => ({ name: p.name, url: l.portal(p.id), report: reportLine(p.lastReport) })),
    newPortal: l.newPortal,
    downloads: Object.entries(PIMS).map(([pim, label]) => ({ url: l.download(pim), label })),
    home: links.home(),
    logout: links.logout(),
  };
}

function formModel(ctx: Ctx, values: Partial<PortalInput> = {}, error?: string) {
  return {
    title: 'New portal',
    action: syncLinks(ctx).newPortal,
    values: { database: 'contacts', mode: 'two-way', ...values, password: '' },
    databases: Object.entries(PORTAL_DATABASES).map(([value, label]) => ({ value, label })),
    modes: MODE_NAMES.map((m) => ({ value: m, label: MODES[m].short })),
    error,
    cancel: syncLinks(ctx).home,
    home: ctx.state.links.home(),
    logout: ctx.state.links.logout(),
  };
}

async function portalModel(ctx: Ctx, id: number, report?: SyncReport) {
  const p = await remotePortal(ctx.state.portal, ctx.state.actor, id);
  const l = syncLinks(ctx);
  return {
    title: p.name,
    url: p.url,
    login: p.login,
    database: PORTAL_DATABASES[p.database],
    remoteUri: p.remoteUri,
    mode: MODES[p.mode].label,
    report: reportLine(report ?? p.lastReport),
    run: l.portal(id),
    remove: l.remove(id),
    back: l.home,
    home: ctx.state.links.home(),
    logout: ctx.state.links.logout(),
  };
}

/** A change made from the Sync screen, which shows again with a notice, or the error in words. */
async function changeSettings(ctx: Ctx, change: () => Promise<void>, notice: string): Promise<void> {
  try {
    await change();
    show(ctx, 'sync_home', { ...(await homeModel(ctx)), notice });
  } catch (err) {
    if (!(err instanceof CoreError)) throw err;
    show(ctx, 'sync_home', { ...(await homeModel(ctx)), error: err.message }, statusOf(err));
  }
}

const idParam = (ctx: Ctx) => {
  const id = Number(ctx.params.id);
  if (!Number.isInteger(id) || id <= 0) throw new CoreError('not-found', 'There is no such portal in your list.');
  return id;
};

export function syncRoutes(router: Router<GatewayState>): void {
  router.get('/s/:token/sync', async (ctx) => show(ctx, 'sync_home', await homeModel(ctx)));

  router.post('/s/:token/sync/policy', (ctx) =>
    changeSettings(ctx, () => setConflictPolicy(ctx.state.portal, ctx.state.actor, ctx.state.form.policy ?? ''), 'Conflict policy saved.'),
  );

  // Phones that sign in with MD5 need a secret made from the password, which the cell does not keep.
  router.post('/s/:token/sync/md5', (ctx) =>
    changeSettings(ctx, () => enableMd5(ctx.state.portal, ctx.state.actor, ctx.state.form.password ?? ''), 'Phones may now sign in with MD5.'),
  );

  router.get('/s/:token/sync/new', (ctx) => show(ctx, 'sync_portal_form', formModel(ctx)));

  router.post('/s/:token/sync/new', async (ctx) => {
    const f = ctx.state.form;
    const input: PortalInput = { name: f.name ?? '', url: f.url ?? '', login: f.login ?? '', password: f.password ?? '', database: f.database ?? '', remoteUri: f.remote ?? '', mode: f.mode ?? '' };
    try {
      const id = await addRemotePortal(ctx.state.portal, ctx.state.actor, input);
      goTo(ctx, syncLinks(ctx).portal(id));
    } catch (err) {
      if (!(err instanceof CoreError)) throw err;
      show(ctx, 'sync_portal_form', formModel(ctx, input, err.message), statusOf(err));
    }
  });

  router.get('/s/:token/sync/p/:id', async (ctx) => show(ctx, 'sync_portal', await portalModel(ctx, idParam(ctx))));

  // "Sync now": the sync runs while the page waits, and the page says what it did.
  router.post('/s/:token/sync/p/:id', async (ctx) => {
    const id = idParam(ctx);
    const report = await syncWithPortal(ctx.state.portal, ctx.state.actor, id);
    show(ctx, 'sync_portal', { ...(await portalModel(ctx, id, report)), ...(report.ok ? { notice: 'Synced.' } : { error: 'The sync failed.' }) });
  });

  router.get('/s/:token/sync/p/:id/delete', async (ctx) => {
    const id = idParam(ctx);
    const p = await remotePortal(ctx.state.portal, ctx.state.actor, id);
    const l = syncLinks(ctx);
    show(ctx, 'confirm', { title: 'Sync', message: `Forget the portal ${p.name}?`, action: l.remove(id), yes: 'Forget', cancel: l.portal(id), home: ctx.state.links.home(), logout: ctx.state.links.logout() });
  });

  router.post('/s/:token/sync/p/:id/delete', async (ctx) => {
    await removeRemotePortal(ctx.state.portal, ctx.state.actor, idParam(ctx));
    goTo(ctx, syncLinks(ctx).home);
  });

  // The downloadable client: a SyncEvolution configuration for this server, login and databases.
  router.get('/s/:token/sync/syncevolution-:pim.sh', async (ctx) => {
    const pim = ctx.params.pim as PimName;
    if (!(pim in PIMS)) throw new CoreError('not-found', 'There is no such download.');
    ctx.type = 'application/x-sh';
    ctx.attachment(`syncevolution-${pim}.sh`);
    ctx.body = syncEvolutionScript({ serverUrl: `${ctx.protocol}://${ctx.host}/sync`, login: ctx.state.actor.login, pim });
  });
}
