// A small namespace-aware view of a parsed SOAP document. fast-xml-parser keeps element order for us; this
// module turns its output into nodes with local names, attributes and the xsi:type, which is all vim25 needs.
import { XMLParser } from 'fast-xml-parser';

export interface XmlNode {
  /** Local element name (prefix removed). */
  readonly name: string;
  /** Attributes by their qualified name as written. */
  readonly attrs: Readonly<Record<string, string>>;
  /** The xsi:type value without its prefix ("VirtualDisk", "string"), if present. */
  readonly xsiType: string | undefined;
  /** Concatenated text content (empty for elements that only hold children). */
  readonly text: string;
  readonly children: readonly XmlNode[];
}

type OrderedEntry = Record<string, unknown>;

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  // Names and labels may legitimately end in spaces ("Keyboard "); keep text exactly as sent.
  trimValues: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  htmlEntities: false,
});

function localName(qualified: string): string {
  const colon = qualified.indexOf(':');
  return colon === -1 ? qualified : qualified.slice(colon + 1);
}

// vCenter writes xsi:type; Go's encoding/xml (vcsim) writes XMLSchema-instance:type with its own prefix
// declaration. A prefixed attribute named "type" is the schema-instance type in every vim25 message, while
// the unprefixed "type" is the ManagedObjectReference type, so the prefix alone tells them apart.
function findXsiType(attrs: Record<string, string>): string | undefined {
  for (const [key, value] of Object.entries(attrs)) {
    if (key.includes(':') && localName(key) === 'type') return localName(value);
  }
  return undefined;
}

function convert(entries: readonly OrderedEntry[]): XmlNode[] {
  const out: XmlNode[] = [];
  for (const entry of entries) {
    const tag = Object.keys(entry).find((k) => k !== ':@');
    if (tag === undefined || tag === '#text' || tag.startsWith('?')) continue;
    const rawChildren = (entry[tag] ?? []) as OrderedEntry[];
    const rawAttrs = (entry[':@'] ?? {}) as Record<string, unknown>;
    const attrs: Record<string, string> = {};
    for (const [key, value] of Object.entries(rawAttrs)) attrs[key] = String(value);
    const children = convert(rawChildren);
    let text = '';
    if (children.length === 0) {
      for (const child of rawChildren) if ('#text' in child) text += String(child['#text']);
    }
    out.push({ name: localName(tag), attrs, xsiType: findXsiType(attrs), text, children });
  }
  return out;
}

/** Parses an XML document and returns its root element. */
export function parseXml(xml: string): XmlNode {
  const parsed = parser.parse(xml) as OrderedEntry[];
  const roots = convert(parsed);
  const root = roots[0];
  if (root === undefined) throw new Error('XML document has no root element');
  return root;
}

export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  return node?.children.find((c) => c.name === name);
}

export function childrenNamed(node: XmlNode | undefined, name: string): XmlNode[] {
  return node === undefined ? [] : node.children.filter((c) => c.name === name);
}

/** Follows a path of child names ("backing", "datastore"). */
export function descend(node: XmlNode | undefined, ...path: string[]): XmlNode | undefined {
  let current = node;
  for (const name of path) current = child(current, name);
  return current;
}

export function textOf(node: XmlNode | undefined, ...path: string[]): string | undefined {
  const target = descend(node, ...path);
  return target === undefined ? undefined : target.text;
}

export function numberOf(node: XmlNode | undefined, ...path: string[]): number | undefined {
  const text = textOf(node, ...path);
  if (text === undefined || text.trim() === '') return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
}

export function booleanOf(node: XmlNode | undefined, ...path: string[]): boolean | undefined {
  const text = textOf(node, ...path)?.trim();
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  return undefined;
}
