// The SyncML sessions recorded between SyncEvolution's client and server
// (../shared/interop/syncml/fixtures, see its README): their messages and the items they carry.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');
/** `<repo>/../shared/interop/syncml/fixtures`, or `SYNCML_FIXTURES`. */
export const FIXTURES = process.env.SYNCML_FIXTURES ?? join(ROOT, '..', 'shared', 'interop', 'syncml', 'fixtures');

function fixtures(): string {
  if (!existsSync(FIXTURES)) throw new Error(`the SyncML fixtures are not at ${FIXTURES}: set SYNCML_FIXTURES, or keep ../shared/ beside the repository`);
  return FIXTURES;
}

export const sessions = (): string[] =>
  readdirSync(fixtures(), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();

/** Every message body of every session: `NNN-req.xml`, `NNN-resp.wbxml`… */
export function messages(ext: 'xml' | 'wbxml'): Array<{ session: string; file: string; body: Buffer }> {
  return sessions().flatMap((session) =>
    readdirSync(join(FIXTURES, session))
      .filter((f) => /^\d{3}-(req|resp)\./.test(f) && f.endsWith(`.${ext}`))
      .sort()
      .map((file) => ({ session, file, body: readFileSync(join(FIXTURES, session, file)) })),
  );
}

/** The items of the data directories (before-/after-, client and server), one file each. */
export function dataItems(): Array<{ where: string; text: string }> {
  return sessions().flatMap((session) =>
    readdirSync(join(FIXTURES, session), { withFileTypes: true })
      .filter((d) => d.isDirectory() && /^(before|after)-/.test(d.name))
      .flatMap((d) =>
        readdirSync(join(FIXTURES, session, d.name)).map((f) => ({ where: `${session}/${d.name}/${f}`, text: readFileSync(join(FIXTURES, session, d.name, f), 'utf8') })),
      ),
  );
}

/**
 * The whole items carried in the XML messages (`<Data><![CDATA[BEGIN:…]]>`), with their Meta Type
 * when the command names one; the chunks of a large object (`<MoreData/>`) are left out.
 */
export function wireItems(): Array<{ where: string; type: string | undefined; text: string }> {
  return messages('xml').flatMap(({ session, file, body }) => {
    const xml = body.toString('utf8');
    const out: Array<{ where: string; type: string | undefined; text: string }> = [];
    for (const m of xml.matchAll(/<(Add|Replace)>(.*?)<\/\1>/gs)) {
      const type = /<Type[^>]*>([^<]+)<\/Type>/.exec(m[2])?.[1];
      for (const item of m[2].matchAll(/<Item>(.*?)<\/Item>/gs)) {
        const data = /<Data><!\[CDATA\[(BEGIN:.*?)\]\]><\/Data>/s.exec(item[1]);
        if (data && !item[1].includes('<MoreData/>')) out.push({ where: `${session}/${file}`, type, text: data[1] });
      }
    }
    return out;
  });
}
