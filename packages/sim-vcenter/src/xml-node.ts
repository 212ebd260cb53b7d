import { XMLParser } from 'fast-xml-parser';
import { Mor } from './vim-value';

// A minimal element tree over fast-xml-parser's ordered output: names without namespace prefixes, raw attributes.
export interface XNode {
  name: string;
  attrs: Record<string, string>;
  children: XNode[];
  text: string;
}

type Ordered = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  ignoreDeclaration: true,
});

function localName(name: string): string {
  const i = name.indexOf(':');
  return i >= 0 ? name.slice(i + 1) : name;
}

function convert(items: Ordered[]): { children: XNode[]; text: string } {
  const children: XNode[] = [];
  let text = '';
  for (const item of items) {
    for (const key of Object.keys(item)) {
      if (key === ':@') continue;
      const value = item[key];
      if (key === '#text') {
        text += String(value);
        continue;
      }
      const inner = convert(Array.isArray(value) ? (value as Ordered[]) : []);
      const attrs = (item[':@'] as Record<string, string> | undefined) ?? {};
      children.push({ name: localName(key), attrs: { ...attrs }, children: inner.children, text: inner.text });
    }
  }
  return { children, text };
}

export function parseXml(xml: string): XNode {
  const parsed = parser.parse(xml) as Ordered[];
  const root = convert(parsed).children[0];
  if (!root) throw new Error('empty XML document');
  return root;
}

export function child(node: XNode | undefined, name: string): XNode | undefined {
  return node?.children.find((c) => c.name === name);
}

export function children(node: XNode | undefined, name: string): XNode[] {
  return node ? node.children.filter((c) => c.name === name) : [];
}

export function childText(node: XNode | undefined, name: string): string | undefined {
  const c = child(node, name);
  return c ? c.text.trim() : undefined;
}

export function childBool(node: XNode | undefined, name: string): boolean | undefined {
  const t = childText(node, name);
  return t === undefined ? undefined : t === 'true' || t === '1';
}

export function childNumber(node: XNode | undefined, name: string): number | undefined {
  const t = childText(node, name);
  if (t === undefined || t === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

/** The xsi:type of an element, whatever prefix the client bound the XML Schema instance namespace to. */
export function xsiType(node: XNode): string | undefined {
  for (const [k, v] of Object.entries(node.attrs)) {
    if (k.endsWith(':type')) return localName(v);
  }
  return undefined;
}

export function toMor(node: XNode | undefined): Mor | undefined {
  if (!node) return undefined;
  const type = node.attrs.type;
  if (type === undefined) return undefined;
  return new Mor(type, node.text.trim());
}
