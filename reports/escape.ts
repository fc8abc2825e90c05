/**
 * Escaping for every output format the reports write. Violation messages, keys, paths and trace
 * details come from the system under test and from fault injection, so they may hold anything:
 * markup, control characters, lone surrogates, backticks. Every string that reaches a report goes
 * through one of these functions; none of them trusts its input.
 */

/**
 * Characters XML 1.0 forbids even as character references: C0 controls other than tab, LF and CR,
 * lone surrogates, and U+FFFE/U+FFFF. A JUnit file holding one is rejected whole by most CI
 * parsers, so they are replaced by a visible `\uXXXX` spelling rather than dropped silently.
 */
const xmlForbidden = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** C0 controls (except tab and LF) and DEL, which HTML shows as nothing or as garbage. */
const htmlInvisible = /[\u0000-\u0008\u000B-\u001F\u007F]/g;

function spellCodeUnit(ch: string): string {
  return `\\u${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * Escapes text for an XML element's content or a double-quoted attribute value. `>` is escaped
 * too, so `]]>` can never end a CDATA section or confuse a lax parser. Tab, LF and CR are written
 * as character references so attribute-value normalisation keeps them.
 * @param text - any string
 * @returns a string safe between tags and inside `"..."`
 */
export function escapeXml(text: string): string {
  return text.replace(xmlForbidden, spellCodeUnit).replace(/[&<>"'\t\n\r]/g, (ch) => {
    switch (ch) {
      case '&': return '&amp;';
      case '<': return '&lt;';
      case '>': return '&gt;';
      case '"': return '&quot;';
      case "'": return '&apos;';
      default: return `&#${ch.charCodeAt(0)};`;
    }
  });
}

/**
 * Escapes text for XML element content where line breaks should stay line breaks (a failure's
 * body text): like {@link escapeXml}, but tab and LF are kept as they are.
 * @param text - any string
 */
export function escapeXmlText(text: string): string {
  return text.replace(xmlForbidden, spellCodeUnit).replace(/[&<>\r]/g, (ch) => {
    switch (ch) {
      case '&': return '&amp;';
      case '<': return '&lt;';
      case '>': return '&gt;';
      default: return '&#13;';
    }
  });
}

/**
 * Escapes text for HTML element content or a quoted attribute value (also inside inline SVG).
 * Invisible control characters are spelled out, so a message that carries one shows it.
 * @param text - any string
 */
export function escapeHtml(text: string): string {
  return text.replace(htmlInvisible, spellCodeUnit).replace(/[&<>"']/g, (ch) => {
    switch (ch) {
      case '&': return '&amp;';
      case '<': return '&lt;';
      case '>': return '&gt;';
      case '"': return '&quot;';
      default: return '&#39;';
    }
  });
}

/**
 * Makes text safe as plain Markdown inline text, including inside a GFM table cell. CI step
 * summaries (GitHub's among them) render raw HTML inside Markdown, so `<`, `>` and `&` become
 * entities. Characters that act anywhere in a line (emphasis, code, links, strike-through, cell
 * separators) are backslash-escaped. Markers that act only at the start of a line (`#`, `-`, `+`,
 * `1.`) are left alone, which keeps `wal-power-loss` and `0.1.0` legible in the raw file; so the
 * result must never begin a line (summary.md always puts it after `- **`, `| ` or other text).
 * Line breaks become spaces because every use is a one-line item.
 * @param text - any string
 */
export function escapeMarkdown(text: string): string {
  return oneLine(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~]/g, (ch) => `\\${ch}`);
}

/**
 * Wraps text in a Markdown code span that shows it verbatim. The fence is one backtick longer than
 * the longest run of backticks inside, and padded with spaces when the text starts or ends with a
 * backtick, as CommonMark requires.
 * @param text - a command or identifier, ideally one line
 * @param inTable - escape pipes, which GFM treats as cell separators even inside code spans
 *   (and shows as `|` again); outside a table the backslash would show, so leave it false there
 */
export function markdownCode(text: string, inTable = false): string {
  const flat = oneLine(text);
  const body = inTable ? flat.replace(/\|/g, '\\|') : flat;
  const longestRun = Math.max(0, ...(body.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const pad = body.startsWith('`') || body.endsWith('`') || body === '' ? ' ' : '';
  return `${fence}${pad}${body}${pad}${fence}`;
}

/** Collapses line breaks and invisible characters so a value fits on one line. */
export function oneLine(text: string): string {
  return text.replace(/\r\n|[\r\n\u2028\u2029]/g, ' ').replace(htmlInvisible, spellCodeUnit);
}

/**
 * Spells out invisible control characters as {@link escapeHtml} does, and changes nothing else:
 * for text that travels as data and is escaped by the page script when it is shown.
 * @param text - any string
 */
export function visibleText(text: string): string {
  return text.replace(htmlInvisible, spellCodeUnit);
}

/**
 * JSON for the content of a `<script type="application/json">` element. Every `<` is written as
 * `\u003c`, so no `</script>` or `<!--` inside a string can end the element or change how the
 * HTML parser reads it; JSON.parse reads the same value back.
 * @param value - plain data
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}
