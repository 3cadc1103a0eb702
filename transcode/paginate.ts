// Cutting content to fit a small screen: how many list items fit a byte budget, and long text in pieces.

/**
 * The largest n in [1, max] with sizeOf(n) <= budget, or 0 when not even one item fits.
 * sizeOf must grow with n (it renders a page with the first n items); a binary search keeps the
 * number of trial renders to log2(max).
 */
export function fitCount(max: number, sizeOf: (n: number) => number, budget: number): number {
  if (max < 1 || sizeOf(1) > budget) return 0;
  let fits = 1;
  let over = max + 1;
  while (over - fits > 1) {
    const mid = Math.floor((fits + over) / 2);
    if (sizeOf(mid) <= budget) fits = mid;
    else over = mid;
  }
  return fits;
}

/**
 * Cuts text into pieces of at most maxChars characters (code points, so a surrogate pair is never
 * split), cutting after whitespace when there is some in the second half of the piece, so words
 * stay whole without leaving short pieces. The pieces joined are the text.
 */
export function splitText(text: string, maxChars: number): string[] {
  if (!Number.isInteger(maxChars) || maxChars < 1) throw new RangeError(`maxChars must be a whole number from 1, not ${maxChars}`);
  const chars = Array.from(text);
  const pieces: string[] = [];
  let start = 0;
  while (start < chars.length) {
    let end = Math.min(start + maxChars, chars.length);
    if (end < chars.length) {
      const cut = lastSpaceEnd(chars, start + Math.ceil(maxChars / 2), end);
      if (cut > 0) end = cut;
    }
    pieces.push(chars.slice(start, end).join(''));
    start = end;
  }
  return pieces;
}

const SPACE = /\s/u;

/** The index just after the last whitespace character in chars[from, to), or 0 if none. */
function lastSpaceEnd(chars: readonly string[], from: number, to: number): number {
  for (let i = to - 1; i >= from; i--) if (SPACE.test(chars[i])) return i + 1;
  return 0;
}
