// The Koa application: error boundary → device detection → form → session → routes.
import Koa from 'koa';
import Router from '@koa/router';
import type { Portal } from '../core/portal.ts';
import type { GatewayState } from './context.ts';
import { detectDevice } from './device.ts';
import { PageCache } from './pagecache.ts';
import { errorBoundary } from './errors.ts';
import { formReader } from './form.ts';
import { sessionResolver } from './session.ts';
import { loginRoutes } from './routes/login.ts';
import { homeRoutes } from './routes/home.ts';
import { databaseRoutes } from './routes/database.ts';
import { recordRoutes } from './routes/records.ts';
import { searchRoutes } from './routes/search.ts';

export interface AppOptions {
  log?: (err: unknown) => void;
}

export function createApp(portal: Portal, options: AppOptions = {}): Koa<GatewayState> {
  const app = new Koa<GatewayState>();
  const log = options.log ?? ((err) => console.error(err));
  app.silent = true;
  const pages = new PageCache();

  app.use(async (ctx, next) => {
    ctx.state.portal = portal;
    ctx.state.pages = pages;
    ctx.state.device = detectDevice({ accept: ctx.get('accept'), userAgent: ctx.get('user-agent'), override: String(ctx.query.device ?? '') });
    // The same URL answers in three markups: caches must key on what decided it.
    ctx.vary('Accept');
    ctx.vary('User-Agent');
    await next();
  });
  app.use(errorBoundary(log));
  app.use(formReader());
  app.use(sessionResolver());

  const router = new Router<GatewayState>();
  loginRoutes(router);
  homeRoutes(router);
  databaseRoutes(router);
  recordRoutes(router);
  searchRoutes(router);
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
