// Pagination by the bytes a page really takes: as many items as fit the device's budget, the
// rest on a "more" page. A page is never cut short; an item too large alone is a bug tests catch.
import type { ParameterizedContext } from 'koa';
import type { GatewayState } from './context.ts';
import type { Markup } from './device.ts';
import { withSession, type ViewModel } from './respond.ts';
import { render } from './render.ts';
import { fitCount } from '../transcode/paginate.ts';

/** How many list items to fetch for one page: an upper bound, trimmed by the byte budget. */
export const PAGE_ITEMS: Record<Markup, number> = { wml: 12, chtml: 20, html: 30 };

/**
 * Renders `view` with as many of `items` as fit, and sends it.
 * `build(shown, next)` makes the model for the first `shown` items; `next` is the offset the
 * following page starts at (within `items`), or null when this page ends the list.
 */
export function showFitted<T>(
  ctx: ParameterizedContext<GatewayState>,
  view: string,
  items: readonly T[],
  moreAfter: boolean,
  build: (shown: readonly T[], next: number | null) => ViewModel,
  status = 200,
): void {
  const device = ctx.state.device;
  const page = (n: number) => render(device, view, withSession(ctx, build(items.slice(0, n), n < items.length || moreAfter ? n : null)));
  let result = page(items.length);
  if (result.airBytes > device.budget && items.length > 1) {
    const n = Math.max(1, fitCount(items.length, (k) => page(k).airBytes, device.budget));
    result = page(n);
  }
  ctx.status = status;
  ctx.type = result.contentType;
  ctx.body = result.body;
}
