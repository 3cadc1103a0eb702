// Sends a view to the device: render, encode, measure, set the headers.
import type { ParameterizedContext } from 'koa';
import type { GatewayState } from './context.ts';
import { render } from './render.ts';

export type ViewModel = Record<string, unknown>;

/** What every page of a session carries besides its own model: the HTML forms' anti-forgery secret. */
export function withSession(ctx: ParameterizedContext<GatewayState>, model: ViewModel): ViewModel {
  return ctx.state.session ? { ...model, csrf: ctx.state.session.csrf } : model;
}

export function show(ctx: ParameterizedContext<GatewayState>, view: string, model: ViewModel, status = 200): void {
  const { body, contentType } = render(ctx.state.device, view, withSession(ctx, model));
  ctx.status = status;
  ctx.type = contentType;
  ctx.body = body;
}

/** Sends the browser on after a successful POST, so that reloading never repeats the change. */
export function goTo(ctx: ParameterizedContext<GatewayState>, url: string): void {
  ctx.status = 303;
  // WAP 1.x and i-mode clients predate 303: they understand 302 and fetch the target with GET.
  if (ctx.state.device.markup !== 'html') ctx.status = 302;
  ctx.redirect(url);
}
