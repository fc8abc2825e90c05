import { describe, expect, it } from 'vitest';
import { escapeHtml, escapeMarkdown, escapeXml, escapeXmlText, markdownCode, oneLine } from '../../reports/escape.ts';
import { parseXml } from './xml.ts';
import { hostileText } from './fixtures.ts';

describe('escapeXml', () => {
  it('round-trips hostile text through an attribute and through element content', () => {
    const doc = `<r a="${escapeXml(hostileText)}">${escapeXml(hostileText)}</r>`;
    const root = parseXml(doc);
    const expected = hostileText.replace(/[\u0001\u0007\u001b]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
    expect(root.attributes['a']).toBe(expected);
    expect(root.text).toBe(expected);
  });

  it('never lets ]]> through unescaped', () => {
    expect(escapeXml(']]>')).toBe(']]&gt;');
    expect(escapeXmlText(']]>')).toBe(']]&gt;');
  });

  it('spells out characters XML 1.0 forbids instead of emitting them', () => {
    expect(escapeXml('a\u0000b\u000Bc\uFFFEd')).toBe('a\\u0000b\\u000Bc\\uFFFEd');
  });

  it('replaces a lone surrogate but keeps a valid pair', () => {
    expect(escapeXml('x\uD800y')).toBe('x\\uD800y');
    expect(escapeXml('x\uD83D\uDE00y')).toBe('x\uD83D\uDE00y');
  });

  it('keeps line breaks as character references in attributes and as text in content', () => {
    expect(escapeXml('a\nb\tc')).toBe('a&#10;b&#9;c');
    expect(escapeXmlText('a\nb\tc')).toBe('a\nb\tc');
  });
});

describe('escapeHtml', () => {
  it('escapes markup and both quote characters', () => {
    expect(escapeHtml(`<img src=x onerror="a('b')">&`)).toBe('&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;');
  });

  it('shows invisible control characters', () => {
    expect(escapeHtml('a\u0007b\u007f')).toBe('a\\u0007b\\u007F');
  });
});

describe('markdown escaping', () => {
  it('turns HTML in plain Markdown text into entities', () => {
    const text = escapeMarkdown('<script>x</script> & co');
    expect(text).not.toContain('<');
    expect(text).toContain('&lt;script&gt;');
    expect(text).toContain('&amp;');
  });

  it('keeps a message to one line', () => {
    expect(escapeMarkdown('a\nb\r\nc')).toBe('a b c');
  });

  it('sizes the code-span fence past the longest backtick run in the text', () => {
    expect(markdownCode('echo `x` ``y`` z')).toBe('```echo `x` ``y`` z```');
    expect(markdownCode('echo ``y``')).toBe('``` echo ``y`` ```');
    expect(markdownCode('`start')).toBe('`` `start ``');
    expect(markdownCode('plain')).toBe('`plain`');
  });

  it('escapes pipes only for table cells', () => {
    expect(markdownCode('a|b')).toBe('`a|b`');
    expect(markdownCode('a|b', true)).toBe('`a\\|b`');
  });

  it('collapses line separators in oneLine', () => {
    expect(oneLine('a\u2028b\rc')).toBe('a b c');
  });
});

describe('markdown escaping of punctuation', () => {
  it('leaves punctuation that only matters at the start of a line alone', () => {
    expect(escapeMarkdown('wal-power-loss 0.1.0 #3 +x')).toBe('wal-power-loss 0.1.0 #3 +x');
  });

  it('escapes emphasis, links, code and cell separators anywhere', () => {
    expect(escapeMarkdown('a *b* _c_ [d](e) `f` g|h ~~i~~ \\')).toBe('a \\*b\\* \\_c\\_ \\[d\\](e) \\`f\\` g\\|h \\~\\~i\\~\\~ \\\\');
  });
});
