// Pages already rendered for a database, kept while the database stays the same: a reload or a
// step back on a handset then costs one permission read instead of a query and a render.
import { LRUCache } from 'lru-cache';
import type { ParameterizedContext } from 'koa';
import type { GatewayState } from './context.ts';
import type { Database } from '../core/cell/cell.ts';

interface Page {
  type: string;
  body: Buffer;
}

export class PageCache {
  readonly #pages = new LRUCache<string, Page>({ maxSize: 16 * 1024 * 1024, sizeCalculation: (p) => p.body.length + 64 });

  /**
   * Sends the cached page for this request and this state of `db`, or produces it with `render`
   * and keeps it. The key holds the URL (session token included), the device, and the user's right.
   */
  async serve(ctx: ParameterizedContext<GatewayState>, db: Database, render: () => Promise<void>): Promise<void> {
    const { markup, budget, wbxml } = ctx.state.device;
    const key = `${markup}:${budget}:${wbxml}:${db.right}:${db.version}:${ctx.url}`;
    const page = this.#pages.get(key);
    if (page) {
      ctx.type = page.type;
      ctx.body = page.body;
      return;
    }
    await render();
    if (ctx.status === 200 && Buffer.isBuffer(ctx.body)) this.#pages.set(key, { type: String(ctx.response.get('content-type')), body: ctx.body });
  }
}
