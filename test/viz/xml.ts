/**
 * A tiny XML well-formedness checker for the SVG tests (no dependencies): balanced tags, one root,
 * quoted attributes without duplicates, and no stray `<` or `&` in text or attribute values.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
}

const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;

function checkText(text: string, where: string): void {
  if (text.includes('<')) throw new Error(`raw "<" in ${where}`);
  if (text.replace(ENTITY, '').includes('&')) throw new Error(`unescaped "&" in ${where}: ${text.slice(0, 60)}`);
}

/** Decodes the five predefined entities and numeric references. */
export function unescapeXml(text: string): string {
  return text.replace(ENTITY, (e) => {
    if (e.startsWith('&#x')) return String.fromCodePoint(parseInt(e.slice(3, -1), 16));
    if (e.startsWith('&#')) return String.fromCodePoint(parseInt(e.slice(2, -1), 10));
    return ({ '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&apos;': "'" } as Record<string, string>)[e];
  });
}

/** Parses `xml`, throwing on the first well-formedness error; returns every element in document order, and the text nodes. */
export function parseXml(xml: string): { elements: XmlElement[]; texts: string[] } {
  const elements: XmlElement[] = [];
  const texts: string[] = [];
  const stack: string[] = [];
  let roots = 0;
  const token = /<!--[\s\S]*?-->|<\?[\s\S]*?\?>|<\/?([A-Za-z_][\w:.-]*)((?:\s+[^\s=/>]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>|<|[^<]+/g;
  let m: RegExpExecArray | null;
  while ((m = token.exec(xml))) {
    const t = m[0];
    if (t.startsWith('<!--') || t.startsWith('<?')) continue;
    if (t === '<') throw new Error(`malformed tag at offset ${m.index}: ${xml.slice(m.index, m.index + 60)}`);
    if (!t.startsWith('<')) {
      if (stack.length === 0) {
        if (t.trim() !== '') throw new Error(`text outside the root element at offset ${m.index}`);
        continue;
      }
      checkText(t, `text at offset ${m.index}`);
      texts.push(unescapeXml(t));
      continue;
    }
    const name = m[1];
    if (t.startsWith('</')) {
      if (m[2].trim() !== '' || m[3]) throw new Error(`malformed closing tag ${t}`);
      const open = stack.pop();
      if (open !== name) throw new Error(`closing </${name}> at offset ${m.index} but <${open ?? 'nothing'}> is open`);
      continue;
    }
    if (stack.length === 0 && ++roots > 1) throw new Error('more than one root element');
    const attrs: Record<string, string> = {};
    const attr = /([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;
    let a: RegExpExecArray | null;
    while ((a = attr.exec(m[2]))) {
      if (a[1] in attrs) throw new Error(`duplicate attribute ${a[1]} on <${name}>`);
      const value = a[2] ?? a[3];
      checkText(value, `attribute ${a[1]} of <${name}>`);
      attrs[a[1]] = unescapeXml(value);
    }
    elements.push({ name, attrs });
    if (!m[3]) stack.push(name);
  }
  if (stack.length) throw new Error(`unclosed <${stack.join('>, <')}>`);
  if (roots !== 1) throw new Error('no root element');
  return { elements, texts };
}
