import { child, childrenNamed, parseXml, textOf, type XmlNode } from '@migratekit/node-common';
import { Mor } from './vim-value';

// The simulator's reading helpers over the shared XML tree (@migratekit/node-common): request values are read
// trimmed, and a ManagedObjectReference element becomes a Mor.
export type XNode = XmlNode;

export { child, parseXml };

export function children(node: XNode | undefined, name: string): XNode[] {
  return childrenNamed(node, name);
}

export function childText(node: XNode | undefined, name: string): string | undefined {
  return textOf(node, name)?.trim();
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
  return node.xsiType;
}

export function toMor(node: XNode | undefined): Mor | undefined {
  if (!node) return undefined;
  const type = node.attrs.type;
  if (type === undefined) return undefined;
  return new Mor(type, node.text.trim());
}
