// The size of each screen as a real operator gateway compiles it: every URL fetched through Kannel
// (test/support/kannel.ts) by the Nokia 7110 of the Kannel tests, on the text path, so that
// KANNEL compiles our WML. Independent of ava, for `npm run bench`.
import { KannelPhone, NOKIA } from '../support/kannel.ts';

/** Kannel's WARNING for a reply over the phone's SDU, which names the compiled size it refused. */
const TOO_LARGE = /Entity at (\S+) too large \(size (\d+) B, limit \d+ B\)/;

/**
 * Kannel's WBXML byte count per screen. `base` must be a gateway that sends WML text to this phone
 * (createApp(portal, { compileWml: false }), or COMPILE_WML=0): one that compiles itself is passed
 * through by Kannel unchanged, which would measure our compiler, not Kannel's, so it is an error.
 * All URLs go in one WSP session (one wsp-client.js run) over one Kannel. A deck over the phone's
 * 1,400-byte SDU reaches the phone as a 502 with no body; its count is the size Kannel logged when
 * it refused it. Error screens (4xx) count like any other: their decks reach the phone too.
 */
export async function kannelSizes(base: string, urls: { screen: string; path: string }[]): Promise<Record<string, number>> {
  const sizes: Record<string, number> = {};
  if (urls.length === 0) return sizes;
  const phone = await KannelPhone.start(NOKIA);
  try {
    const replies = await phone.fetch(urls.map(({ path }) => ({ url: new URL(path, base).toString() })));
    for (const [i, reply] of replies.entries()) {
      const { screen } = urls[i];
      if (reply.origin && reply.origin.contentType !== 'text/vnd.wap.wml') {
        throw new Error(`${screen}: the gateway at ${base} answered ${reply.origin.contentType}, so Kannel compiled nothing; start it with compileWml: false`);
      }
      if (reply.status === 502 && reply.body.length === 0) {
        const refused = reply.warnings.map((w) => TOO_LARGE.exec(w)).find((m) => m && m[1] === reply.url);
        if (!refused) throw new Error(`${screen}: Kannel answered 502 without saying why:\n${reply.warnings.join('\n')}`);
        sizes[screen] = Number(refused[2]);
      } else if (reply.contentType === 'application/vnd.wap.wmlc') {
        sizes[screen] = reply.body.length;
      } else {
        // Kannel could not compile the deck: it logs why and sends the text on, which a phone cannot show.
        throw new Error(`${screen}: Kannel did not compile ${reply.url} (${reply.status}, ${reply.contentType}):\n${reply.warnings.join('\n')}`);
      }
    }
  } finally {
    await phone.close();
  }
  return sizes;
}
