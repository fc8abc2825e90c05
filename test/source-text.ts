/**
 * Reading TypeScript source as text for the structural tests (boundary.test.ts,
 * function-size.test.ts): comments blanked, string contents kept or blanked, every newline kept
 * so that line numbers hold. Strings are tracked so that `//` inside one starts no comment.
 */

/**
 * The source with comments blanked out.
 * @param strings - `keep` leaves string and template contents as they are (to read import
 *   specifiers); `blank` replaces them with spaces (to count braces of code only)
 */
export function blankComments(source: string, strings: 'keep' | 'blank'): string {
  const keep = strings === 'keep';
  let out = '';
  let i = 0;
  let quote: string | undefined;
  while (i < source.length) {
    const c = source[i]!;
    const next = source[i + 1];
    if (quote !== undefined) {
      if (c === '\\') {
        out += keep ? c + (next ?? '') : next === '\n' ? ' \n' : '  ';
        i += 2;
        continue;
      }
      if (c === quote) {
        quote = undefined;
        out += c;
      } else {
        out += keep || c === '\n' ? c : ' ';
      }
      i++;
    } else if (c === '/' && next === '/') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end < 0 ? source.length : end + 2;
      out += source.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else {
      if (c === '"' || c === "'" || c === '`') quote = c;
      out += c;
      i++;
    }
  }
  return out;
}
