// Mail from every device: the mail home (folders, accounts and their Check button), folder lists,
// a message in pages, writing (new, reply, forward), the account form, an attachment's bytes.
// The core decides everything; a failure of a remote server is a page with the reason, never a 5xx log.
import type Router from '@koa/router';
import type { GatewayState, Ctx } from '../context.ts';
import type { Account, AccountInput } from '../../core/mail/accounts.ts';
import type { Draft } from '../../core/mail/mail.ts';
import type { MessageSummary } from '../../core/mail/mailbox.ts';
import { CoreError } from '../../core/errors.ts';
import { nextStep } from '../../core/mail/attempts.ts';
import { emoji } from '../../transcode/emoji.ts';
import { splitText } from '../../transcode/paginate.ts';
import { PAGE_ITEMS, showFitted } from '../fit.ts';
import { goTo, show } from '../respond.ts';
import { statusOf } from '../errors.ts';
import { idParam, offsetParam } from './params.ts';
import { PIECE_CHARS } from './records.ts';

const FOLDER_TITLES = { inbox: 'Inbox', sent: 'Sent', outbox: 'Outbox' } as const;
type FolderName = keyof typeof FOLDER_TITLES;
const ACCOUNT_FIELDS = ['name', 'address', 'protocol', 'incoming', 'tls', 'login', 'password', 'outgoing', 'outTls', 'outLogin', 'outPassword'] as const;
const LABEL_CHARS = 40;

/** Every mail URL, under the session's base. */
class MailLinks {
  readonly base: string;
  constructor(sessionBase: string) {
    this.base = `${sessionBase}/mail`;
  }
  home() {
    return this.base;
  }
  folder(folder: string, from = 0) {
    return `${this.base}/f/${folder}${from ? `?from=${from}` : ''}`;
  }
  message(id: number, from = 0) {
    return `${this.base}/m/${id}${from ? `?from=${from}` : ''}`;
  }
  sendAgain(id: number) {
    return `${this.base}/m/${id}/send`;
  }
  write(about: { reply?: number; forward?: number } = {}) {
    return `${this.base}/write${about.reply ? `?reply=${about.reply}` : about.forward ? `?forward=${about.forward}` : ''}`;
  }
  check(account: number) {
    return `${this.base}/a/${account}/check`;
  }
  account(account?: number) {
    return account ? `${this.base}/a/${account}` : `${this.base}/a/new`;
  }
  file(id: number) {
    return `${this.base}/file/${id}`;
  }
}

const linksOf = (ctx: Ctx) => new MailLinks(ctx.state.links.base);
const clip = (s: string, n = LABEL_CHARS) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const stamp = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace('T', ' ');
/** "Ann Smith <ann@x>" reads as "Ann Smith" in a list. */
const person = (addresses: string) => addresses.split(',')[0].replace(/<[^>]*>/, '').replace(/"/g, '').trim() || addresses;
const sizeLabel = (bytes: number) => (bytes < 1024 ? `${bytes} B` : `${Math.round(bytes / 1024)} KB`);

/** A failure and what happens next (the retry tick, or the user's new password); '' when all is well. */
const withNextStep = (problem: string, state: string, retryAt: number) => (problem ? `${problem} ${nextStep(state, retryAt)}`.trim() : '');

/** Shows the core's refusal (a remote server's failure included) as a page with a way back, without a server log. */
async function orExplain(ctx: Ctx, back: string, run: () => Promise<void>): Promise<void> {
  try {
    await run();
  } catch (err) {
    if (!(err instanceof CoreError) || (err.kind !== 'unavailable' && err.kind !== 'bad-password')) throw err;
    show(ctx, 'error', { title: 'Mail', message: err.message, back, home: ctx.state.links.home() }, statusOf(err));
  }
}

export function mailRoutes(router: Router<GatewayState>): void {
  router.get('/s/:token/mail', async (ctx) => {
    const { portal, actor, links, device } = ctx.state;
    const ml = linksOf(ctx);
    const summary = await (await portal.mail(actor)).summary(actor);
    show(ctx, 'mail_home', {
      title: 'Mail',
      folders: [
        { label: `Inbox (${summary.inbox}${summary.unread ? `, ${summary.unread} new` : ''})`, url: ml.folder('inbox'), unread: summary.unread ? emoji('mail', device.markup) : '' },
        { label: `Sent (${summary.sent})`, url: ml.folder('sent') },
        ...(summary.outbox ? [{ label: `Outbox (${summary.outbox})`, url: ml.folder('outbox') }] : []),
      ],
      write: summary.accounts.length ? ml.write() : undefined,
      accounts: summary.accounts.map((a: Account) => ({ name: a.name, check: ml.check(a.id), edit: ml.account(a.id), problem: withNextStep(a.problem, a.state, a.retryAt) })),
      newAccount: ml.account(),
      home: links.home(),
      logout: links.logout(),
    });
  });

  router.get('/s/:token/mail/f/:folder', async (ctx) => {
    const folder = ctx.params.folder as FolderName;
    if (!(folder in FOLDER_TITLES)) throw new CoreError('not-found', 'There is no such mail folder.');
    const from = offsetParam(ctx.state.form.from);
    await showFolder(ctx, folder, from);
  });

  router.post('/s/:token/mail/a/:id/check', async (ctx) => {
    const { portal, actor } = ctx.state;
    await orExplain(ctx, linksOf(ctx).home(), async () => {
      const stored = await (await portal.mail(actor)).check(actor, idParam(ctx.params.id));
      await showFolder(ctx, 'inbox', 0, stored ? `${stored} new message${stored === 1 ? '' : 's'}.` : 'No new mail.');
    });
  });

  router.get('/s/:token/mail/m/:id', async (ctx) => {
    const { portal, actor, links, device } = ctx.state;
    const ml = linksOf(ctx);
    const id = idParam(ctx.params.id);
    const from = offsetParam(ctx.state.form.from);
    const m = await (await portal.mail(actor)).message(actor, id);
    const heads = [
      { label: 'From', value: m.from },
      { label: 'To', value: m.to },
      ...(m.cc ? [{ label: 'Cc', value: m.cc }] : []),
      { label: 'Date', value: stamp(m.date) },
      { label: 'Subject', value: m.subject || '-' },
    ].flatMap((h) => splitText(h.value, PIECE_CHARS[device.markup]).map((value) => ({ label: h.label, value })));
    // Each line of the body stays a line; a long one is cut into pieces that fit a screen.
    const body = m.body.split('\n').flatMap((line) => (line ? splitText(line, PIECE_CHARS[device.markup]) : [' '])).map((value) => ({ label: '', value }));
    const lines = [...heads, ...body];
    const limit = from + PAGE_ITEMS[device.markup] * 2;
    showFitted(ctx, 'mail_message', lines.slice(from, limit), limit < lines.length, (shown, next) => ({
      title: clip(m.subject || '(no subject)', 30),
      lines: shown,
      attachments:
        from === 0
          ? m.attachments.map((a) => ({ label: `${a.name} (${sizeLabel(a.size)}${a.stored ? '' : ', over your quota: not kept'})`, url: a.stored && device.markup === 'html' ? ml.file(a.id) : undefined }))
          : [],
      error: m.folder === 'outbox' && from === 0 ? withNextStep(m.problem, m.attempts.state, m.attempts.retry_at) || 'Not sent yet.' : undefined,
      sendAgain: m.folder === 'outbox' ? ml.sendAgain(m.id) : undefined,
      reply: m.folder === 'inbox' ? ml.write({ reply: m.id }) : undefined,
      forward: m.folder !== 'outbox' ? ml.write({ forward: m.id }) : undefined,
      next: next === null ? undefined : ml.message(id, from + next),
      prev: from > 0 ? ml.message(id) : undefined,
      back: ml.folder(m.folder),
      backLabel: FOLDER_TITLES[m.folder],
      home: links.home(),
      logout: links.logout(),
    }));
  });

  router.post('/s/:token/mail/m/:id/send', async (ctx) => {
    const { portal, actor } = ctx.state;
    const result = await (await portal.mail(actor)).sendAgain(actor, idParam(ctx.params.id));
    goTo(ctx, linksOf(ctx).message(result.id));
  });

  router.get('/s/:token/mail/write', async (ctx) => showCompose(ctx, {}));

  router.post('/s/:token/mail/write', async (ctx) => {
    const { portal, actor, form } = ctx.state;
    const draft: Draft = { account: form.account ?? '', to: form.to ?? '', cc: form.cc ?? '', subject: form.subject ?? '', body: form.body ?? '', ...about(ctx) };
    try {
      const result = await (await portal.mail(actor)).send(actor, draft);
      goTo(ctx, linksOf(ctx).message(result.id));
    } catch (err) {
      if (!(err instanceof CoreError) || err.kind !== 'invalid') throw err;
      await showCompose(ctx, draft, err.message, statusOf(err));
    }
  });

  router.get('/s/:token/mail/a/new', (ctx) => showAccountForm(ctx, {}));
  router.get('/s/:token/mail/a/:id', async (ctx) => {
    const { portal, actor } = ctx.state;
    const a = await (await portal.mail(actor)).account(actor, idParam(ctx.params.id));
    showAccountForm(ctx, { name: a.name, address: a.address, protocol: a.protocol, incoming: a.incoming, tls: a.tls ? '1' : '', login: a.login, outgoing: a.outgoing, outTls: a.outTls ? '1' : '', outLogin: a.outLogin }, a);
  });

  const saveAccount = async (ctx: Ctx, id?: number) => {
    const { portal, actor, form } = ctx.state;
    const input: AccountInput = Object.fromEntries(ACCOUNT_FIELDS.map((f) => [f, form[f] ?? '']));
    try {
      await (await portal.mail(actor)).saveAccount(actor, input, id);
      goTo(ctx, linksOf(ctx).home());
    } catch (err) {
      if (!(err instanceof CoreError) || (err.kind !== 'invalid' && err.kind !== 'conflict')) throw err;
      // Passwords are never sent back, not even the one just typed.
      showAccountForm(ctx, { ...input, password: '', outPassword: '' }, id ? ({ id } as Account) : undefined, err.message, statusOf(err));
    }
  };
  router.post('/s/:token/mail/a/new', (ctx) => saveAccount(ctx));
  router.post('/s/:token/mail/a/:id', (ctx) => saveAccount(ctx, idParam(ctx.params.id)));

  router.get('/s/:token/mail/file/:id', async (ctx) => {
    const { portal, actor } = ctx.state;
    const file = await (await portal.mail(actor)).attachment(actor, idParam(ctx.params.id));
    ctx.type = file.type || 'application/octet-stream';
    ctx.attachment(file.name);
    ctx.body = file.content;
  });
}

function about(ctx: Ctx): { replyTo?: number; forward?: number } {
  const { reply, forward } = ctx.state.form;
  if (reply) return { replyTo: idParam(reply) };
  if (forward) return { forward: idParam(forward) };
  return {};
}

async function showFolder(ctx: Ctx, folder: FolderName, from: number, notice?: string): Promise<void> {
  const { portal, actor, links, device } = ctx.state;
  const ml = linksOf(ctx);
  const page = await (await portal.mail(actor)).folder(actor, folder, from, PAGE_ITEMS[device.markup]);
  const label = (m: MessageSummary) => clip(`${person(folder === 'inbox' ? m.from : m.to)}: ${m.subject || '(no subject)'}`);
  showFitted(ctx, 'mail_list', page.items, page.more, (shown, next) => ({
    title: FOLDER_TITLES[folder],
    notice,
    items: shown.map((m) => ({ url: ml.message(m.id), label: label(m), date: stamp(m.date).slice(5), unread: m.unread ? emoji('mail', device.markup) : '' })),
    empty: page.items.length === 0,
    next: next === null ? undefined : ml.folder(folder, from + next),
    prev: from > 0 ? ml.folder(folder, Math.max(0, from - PAGE_ITEMS[device.markup])) : undefined,
    write: ml.write(),
    mail: ml.home(),
    home: links.home(),
    logout: links.logout(),
  }));
}

async function showCompose(ctx: Ctx, values: Partial<Draft>, error?: string, status = 200): Promise<void> {
  const { portal, actor, links } = ctx.state;
  const ml = linksOf(ctx);
  const mail = await portal.mail(actor);
  const { accounts } = await mail.summary(actor);
  if (!accounts.length) throw new CoreError('invalid', 'Add a mail account first: Mail, then "New account".');
  const { replyTo, forward } = about(ctx);
  const original = replyTo ?? forward;
  const subject = original === undefined ? '' : (await mail.message(actor, original)).subject;
  const chosen = values.account ?? String(accounts[0].id);
  show(
    ctx,
    'mail_compose',
    {
      title: replyTo ? 'Reply' : forward ? 'Forward' : 'Write',
      action: ml.write({ reply: replyTo, forward }),
      accounts: accounts.map((a) => ({ value: String(a.id), label: clip(`${a.name} <${a.address}>`, 30), selected: String(a.id) === chosen })),
      account: chosen,
      values: { to: values.to ?? '', cc: values.cc ?? '', subject: values.subject ?? '', body: values.body ?? '' },
      about: original === undefined ? undefined : `${replyTo ? 'Re' : 'Fwd'}: ${clip(subject, 30)} (quoted below your text)`,
      error,
      cancel: ml.home(),
      home: links.home(),
      logout: links.logout(),
    },
    status,
  );
}

function showAccountForm(ctx: Ctx, values: Record<string, string>, account?: Account, error?: string, status = 200): void {
  const { links } = ctx.state;
  const ml = linksOf(ctx);
  show(
    ctx,
    'mail_account',
    {
      title: account ? 'Mail account' : 'New account',
      action: ml.account(account?.id),
      values: Object.fromEntries(ACCOUNT_FIELDS.map((f) => [f, values[f] ?? (f === 'protocol' ? 'imap' : '')])),
      protocols: [
        { value: 'imap', label: 'IMAP', selected: (values.protocol ?? 'imap') === 'imap' },
        { value: 'pop3', label: 'POP3', selected: values.protocol === 'pop3' },
      ],
      keepPassword: Boolean(account),
      error,
      cancel: ml.home(),
      home: links.home(),
      logout: links.logout(),
    },
    status,
  );
}
