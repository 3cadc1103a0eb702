// Recorded SyncML sessions (../shared/interop/syncml/fixtures) replayed against our /sync, and
// what our answers say: the status of each command, our RespURI, our commands.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseSyncml, childrenOf, child, textAt, type Element } from '../../transcode/syncml/tree.ts';
import { SYNCML_INTEROP } from './syncevolution.ts';
import { decodeSyncml, toSyncmlXml } from '../../transcode/wbxml/syncml.ts';

export const FIXTURES = join(SYNCML_INTEROP, 'fixtures');

export function fixture(session: string, file: string): string {
  const bytes = readFileSync(join(FIXTURES, session, file));
  return file.endsWith('.wbxml') ? toSyncmlXml(decodeSyncml(bytes)) : bytes.toString('utf8');
}

/** A recorded client message made ours: our URL, and basic credentials of `login` in place of alice's MD5 ones. */
export function adapt(message: string, target: string, login: string, password: string): string {
  const basic = Buffer.from(`${login}:${password}`).toString('base64');
  return message
    .replace(/(<SyncHdr>.*?<Target><LocURI>)[^<]*(<\/LocURI>)/s, `$1${target.replace(/&/g, '&amp;')}$2`)
    .replace(/<LocName>alice<\/LocName>/, `<LocName>${login}</LocName>`)
    .replace(/<Cred>.*?<\/Cred>/s, `<Cred><Meta><Format xmlns='syncml:metinf'>b64</Format><Type xmlns='syncml:metinf'>syncml:auth-basic</Type></Meta><Data>${basic}</Data></Cred>`);
}

export interface Answer {
  http: number;
  /** The answer as XML (WBXML answers decoded). */
  text: string;
  root?: Element;
  respUri?: string;
  /** `Cmd:code` of every Status, in order. */
  statuses: string[];
  /** Our commands (Alert, Sync, Results…) by name. */
  commands: Element[];
  final: boolean;
}

export async function post(url: string, body: string | Uint8Array<ArrayBuffer>, type = 'application/vnd.syncml+xml'): Promise<Answer> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': type }, body });
  const answerType = response.headers.get('content-type') ?? '';
  const bytes = new Uint8Array(await response.arrayBuffer());
  const text = answerType.startsWith('application/vnd.syncml+wbxml') ? toSyncmlXml(decodeSyncml(bytes)) : new TextDecoder().decode(bytes);
  if (!answerType.startsWith('application/vnd.syncml')) return { http: response.status, text, statuses: [], commands: [], final: false };
  const { root } = parseSyncml(text);
  const body2 = child(root, 'SyncBody');
  return {
    http: response.status,
    text,
    root,
    respUri: textAt(root, 'SyncHdr/RespURI') || undefined,
    statuses: childrenOf(body2, 'Status').map((s) => `${textAt(s, 'Cmd')}:${textAt(s, 'Data')}`),
    commands: childrenOf(body2).filter((c) => c.name !== 'Status' && c.name !== 'Final'),
    final: child(body2, 'Final') !== undefined,
  };
}
