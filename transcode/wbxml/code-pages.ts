// Tag vocabularies as data: which public identifier names a document type, which code pages it
// has, which XML namespace each page stands for, and the tag tokens of each page. The tag codec
// (tags.ts) is driven by these tables alone.
//
// Interface:
//   interface CodePage    { page, namespace, tags: [token, name, since?][] }
//   interface Vocabulary  { name, publicId, fpi, pages, version }
//   vocabularyIndex(v) → { tag(page, token) → name | undefined,
//                          token(namespace, name) → { page, token } | undefined,
//                          namespaceOf(page) }
//   vocabularyOfPublicId(id, vocabularies) / vocabularyOfFpi(fpi, vocabularies)

/** A row: token, tag name, and the first version of the vocabulary that has it (none: all). */
export type TagRow = readonly [token: number, name: string, since?: string];

export interface CodePage {
  page: number;
  /** The XML namespace the page's elements are in. */
  namespace: string;
  tags: readonly TagRow[];
}

export interface Vocabulary {
  /** "SyncML 1.2", "DevInf 1.1"… */
  name: string;
  /** The version rows are filtered by (`since`). */
  version: string;
  /** WBXML public identifier token (WAP-192 §7.2.1 / OMNA registry). */
  publicId: number;
  /** Formal public identifier, for documents that name theirs as a string. */
  fpi: string;
  pages: readonly CodePage[];
}

export interface VocabularyIndex {
  vocabulary: Vocabulary;
  tag(page: number, token: number): string | undefined;
  token(namespace: string, name: string): { page: number; token: number } | undefined;
  namespaceOf(page: number): string | undefined;
}

const indexes = new WeakMap<Vocabulary, VocabularyIndex>();

/** Whether a row is in a version: versions compare as numbers part by part ("1.2" after "1.1"). */
function since(version: string, row: TagRow): boolean {
  if (row[2] === undefined) return true;
  const a = version.split('.').map(Number);
  const b = row[2].split('.').map(Number);
  return a[0] > b[0] || (a[0] === b[0] && (a[1] ?? 0) >= (b[1] ?? 0));
}

export function vocabularyIndex(v: Vocabulary): VocabularyIndex {
  let index = indexes.get(v);
  if (index) return index;
  const byToken = new Map<number, string>();
  const byName = new Map<string, Map<string, { page: number; token: number }>>();
  for (const page of v.pages) {
    for (const row of page.tags) {
      if (!since(v.version, row)) continue;
      byToken.set(page.page * 256 + row[0], row[1]);
      const names = byName.get(page.namespace) ?? new Map<string, { page: number; token: number }>();
      names.set(row[1], { page: page.page, token: row[0] });
      byName.set(page.namespace, names);
    }
  }
  index = {
    vocabulary: v,
    tag: (page, token) => byToken.get(page * 256 + token),
    token: (namespace, name) => byName.get(namespace)?.get(name),
    namespaceOf: (page) => v.pages.find((p) => p.page === page)?.namespace,
  };
  indexes.set(v, index);
  return index;
}

export function vocabularyOfPublicId(id: number, vocabularies: readonly Vocabulary[]): Vocabulary | undefined {
  return vocabularies.find((v) => v.publicId === id);
}

export function vocabularyOfFpi(fpi: string, vocabularies: readonly Vocabulary[]): Vocabulary | undefined {
  return vocabularies.find((v) => v.fpi === fpi);
}
