// The Koa application: error boundary → device detection → form → session → routes.
import Koa from 'koa';
import Router from '@koa/router';
import type { Portal } from '../core/portal.ts';
import type { GatewayState } from './context.ts';
import { detectDevice } from './device.ts';
import { PageCache } from './pagecache.ts';
import { ProfileCache, profileUrl } from './uaprof.ts';
import { conditional } from './conditional.ts';
import { errorBoundary } from './errors.ts';
import { formReader } from './form.ts';
import { sessionResolver } from './session.ts';
import { loginRoutes } from './routes/login.ts';
import { homeRoutes } from './routes/home.ts';
import { databaseRoutes } from './routes/database.ts';
import { recordRoutes } from './routes/records.ts';
import { searchRoutes } from './routes/search.ts';
import { sharingRoutes } from './routes/sharing.ts';
import { lockerRoutes } from './routes/locker.ts';
import { alarmRoutes } from './routes/alarms.ts';
import { plannerRoutes } from './routes/planner.ts';
import { mailRoutes } from './routes/mail.ts';
import { syncEndpoint } from './sync/endpoint.ts';
import { syncRoutes } from './routes/sync.ts';

export interface AppOptions {
  log?: (err: unknown) => void;
  /** Where UAProf profiles are looked up (a shared cache; tests give their own). */
  profiles?: ProfileCache;
  /**
   * Compile WML to WBXML for phones that prefer it (default). Off, every phone gets WML text and
   * the operator gateway compiles it: for gateways that insist on doing so, and to test that path.
   */
  compileWml?: boolean;
}

export function createApp(portal: Portal, options: AppOptions = {}): Koa<GatewayState> {
  const app = new Koa<GatewayState>();
  const log = options.log ?? ((err) => console.error(err));
  app.silent = true;
  const pages = new PageCache();
  const profiles = options.profiles ?? new ProfileCache();
  // SyncML clients are not handsets: their endpoint comes before device detection and sessions.
  app.use(syncEndpoint(portal, log));

  app.use(async (ctx, next) => {
    ctx.state.portal = portal;
    ctx.state.pages = pages;
    const profile = profileUrl(ctx.get('x-wap-profile'), ctx.get('profile'));
    ctx.state.device = detectDevice({
      accept: ctx.get('accept'),
      userAgent: ctx.get('user-agent'),
      override: String(ctx.query.device ?? ''),
      clientSduSize: ctx.get('x-wap-client-sdu-size'),
      acceptCharset: ctx.get('accept-charset'),
      profileDeckSize: profile ? await profiles.deckSizeFor(profile) : undefined,
    });
    if (options.compileWml === false) ctx.state.device.wbxml = false;
    // The same URL answers in three markups and sizes: caches must key on what decided it.
    for (const header of ['Accept', 'Accept-Charset', 'User-Agent', 'X-WAP-Profile', 'X-WAP-Client-SDU-Size']) ctx.vary(header);
    // Session tokens ride in URLs: no page may hand its URL to another site as a Referer.
    ctx.set('Referrer-Policy', 'no-referrer');
    await next();
  });
  app.use(conditional());
  app.use(errorBoundary(log));
  app.use(formReader());
  app.use(sessionResolver());

  const router = new Router<GatewayState>();
  loginRoutes(router);
  homeRoutes(router);
  databaseRoutes(router);
  recordRoutes(router);
  searchRoutes(router);
  sharingRoutes(router);
  lockerRoutes(router);
  alarmRoutes(router);
  plannerRoutes(router);
  mailRoutes(router);
  syncRoutes(router);
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
