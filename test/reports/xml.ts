/**
 * A strict little XML 1.0 reader for the JUnit tests: enough of the grammar to reject what CI
 * parsers reject (unbalanced tags, a bare `<` or `&`, unknown entities, characters XML forbids,
 * even as character references, unquoted or duplicate attributes, more than one root), and to
 * give back the element tree with decoded text so tests can compare content. No DTDs, no CDATA,
 * no namespaces: the JUnit writer uses none of them, so meeting one here is itself an error.
 */

export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
  /** The decoded text directly inside this element. */
  text: string;
}

const forbiddenChar = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const namePattern = /^[A-Za-z_][\w.-]*/;

function decode(raw: string, where: number): string {
  if (forbiddenChar.test(raw)) throw new Error(`forbidden character near offset ${where}`);
  if (raw.includes('<')) throw new Error(`bare < near offset ${where}`);
  return raw.replace(/&([^;]*);?/g, (match, body: string) => {
    if (!match.endsWith(';')) throw new Error(`unterminated entity near offset ${where}`);
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    const value = named[body];
    if (value !== undefined) return value;
    const code = /^#x([0-9a-fA-F]+)$/.exec(body)?.[1] !== undefined ? parseInt(body.slice(2), 16)
      : /^#[0-9]+$/.test(body) ? parseInt(body.slice(1), 10) : NaN;
    if (Number.isNaN(code)) throw new Error(`unknown entity &${body}; near offset ${where}`);
    const ch = String.fromCodePoint(code);
    if (forbiddenChar.test(ch)) throw new Error(`character reference &${body}; names a forbidden character`);
    return ch;
  });
}

/**
 * Parses a document; throws an Error describing the first problem.
 * @returns the root element
 */
export function parseXml(document: string): XmlElement {
  let pos = 0;
  const prolog = /^<\?xml [^?]*\?>\s*/.exec(document);
  if (prolog) pos = prolog[0].length;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (pos < document.length) {
    const lt = document.indexOf('<', pos);
    const textEnd = lt === -1 ? document.length : lt;
    const text = decode(document.slice(pos, textEnd), pos);
    const top = stack.at(-1);
    if (top) top.text += text;
    else if (text.trim() !== '') throw new Error(`text outside the root element at offset ${pos}`);
    if (lt === -1) break;
    const gt = document.indexOf('>', lt);
    if (gt === -1) throw new Error(`unterminated tag at offset ${lt}`);
    const tag = document.slice(lt + 1, gt);
    pos = gt + 1;
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const open = stack.pop();
      if (open?.name !== name) throw new Error(`</${name}> closes <${open?.name ?? 'nothing'}> at offset ${lt}`);
      continue;
    }
    if (tag.startsWith('!') || tag.startsWith('?')) throw new Error(`unsupported markup <${tag.slice(0, 10)} at offset ${lt}`);
    const selfClosing = tag.endsWith('/');
    const inner = selfClosing ? tag.slice(0, -1) : tag;
    const name = namePattern.exec(inner)?.[0];
    if (name === undefined) throw new Error(`bad element name at offset ${lt}`);
    const attributes: Record<string, string> = {};
    let rest = inner.slice(name.length);
    while (rest.trim() !== '') {
      const attr = /^\s+([A-Za-z_][\w.:-]*)="([^"]*)"/.exec(rest);
      if (!attr) throw new Error(`bad attribute syntax in <${name}> at offset ${lt}: ${rest.slice(0, 30)}`);
      const [whole, key, value] = attr as unknown as [string, string, string];
      if (key in attributes) throw new Error(`duplicate attribute ${key} in <${name}>`);
      attributes[key] = decode(value, lt);
      rest = rest.slice(whole.length);
    }
    const element: XmlElement = { name, attributes, children: [], text: '' };
    const parent = stack.at(-1);
    if (parent) parent.children.push(element);
    else if (root) throw new Error(`second root element <${name}> at offset ${lt}`);
    else root = element;
    if (!selfClosing) stack.push(element);
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.at(-1)?.name}>`);
  if (!root) throw new Error('no root element');
  return root;
}

/** Every element named `name` in the tree, in document order. */
export function findAll(root: XmlElement, name: string): XmlElement[] {
  const found: XmlElement[] = [];
  const walk = (element: XmlElement): void => {
    if (element.name === name) found.push(element);
    element.children.forEach(walk);
  };
  walk(root);
  return found;
}
