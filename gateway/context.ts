// What the middleware chain learns about a request before a route handler runs.
import type { RouterContext } from '@koa/router';
import type { Device } from './device.ts';
import type { Links } from './links.ts';
import type { Actor, Portal } from '../core/portal.ts';
import type { PageCache } from './pagecache.ts';
import type { Session } from '../core/dispatch/sessions.ts';

export interface GatewayState {
  device: Device;
  portal: Portal;
  pages: PageCache;
  /** Set by the session middleware on every `/s/<token>/…` route. */
  actor: Actor;
  session: Session;
  links: Links;
  token: string;
  /** The decoded form of a POST, in the charset the device posts in. */
  form: Record<string, string>;
}

export type Ctx = RouterContext<GatewayState>;
