import { API_VERSION, fieldKnownIn, typeKnownIn } from './vim-version';

// The value model the simulator answers with, and its vim25 XML encoding.
// Data objects always carry xsi:type (clients ignore it on concrete fields and need it on polymorphic ones).
// Encoding is for one API version: types and properties that version does not define are left out.
import { escapeXml } from '@migratekit/node-common';

export class Mor {
  constructor(
    readonly type: string,
    readonly value: string,
  ) {}
  get key(): string {
    return `${this.type}:${this.value}`;
  }
}

/** A value in an xsd:anyType position (DynamicProperty.val, TaskInfo.result): it must name its own type. */
export class AnyType {
  constructor(readonly value: VimValue) {}
}

/** An enum value that names its enum type when it stands in an anyType position. */
export class EnumValue {
  constructor(
    readonly enumType: string,
    readonly value: string,
  ) {}
}

/** A vim25 `long` (as opposed to `int`) when it has to name its type. */
export class LongValue {
  constructor(readonly value: number) {}
}

/** An empty array property that must still name its type (`<val xsi:type="ArrayOfX"/>`), as vCenter sends. */
export class EmptyArray {
  constructor(readonly itemType: string) {}
}

export interface DataObject {
  _type: string;
  [field: string]: VimValue | undefined;
}

export type VimValue =
  string | number | boolean | Date | Mor | AnyType | EnumValue | LongValue | EmptyArray | DataObject | VimValue[];

export function data(type: string, fields: Record<string, VimValue | undefined>): DataObject {
  return { _type: type, ...fields };
}

// Concrete device types are sent in arrays of their base type (ArrayOfVirtualDevice).
const ARRAY_BASE: Record<string, string> = {};
for (const t of [
  'VirtualDisk',
  'VirtualVmxnet3',
  'VirtualE1000',
  'VirtualE1000e',
  'VirtualPCNet32',
  'ParaVirtualSCSIController',
  'VirtualLsiLogicController',
  'VirtualLsiLogicSASController',
  'VirtualBusLogicController',
  'VirtualIDEController',
  'VirtualPCIController',
  'VirtualPS2Controller',
  'VirtualSIOController',
  'VirtualAHCIController',
  'VirtualCdrom',
  'VirtualKeyboard',
  'VirtualPointingDevice',
  'VirtualMachineVideoCard',
  'VirtualMachineVMCIDevice',
]) {
  ARRAY_BASE[t] = 'VirtualDevice';
}

/** Declares that arrays of these concrete types are sent as arrays of `base` (ArrayOfEvent, ArrayOfFileInfo). */
export function registerArrayBase(types: string[], base: string): void {
  for (const t of types) ARRAY_BASE[t] = base;
}

function isDataObject(v: unknown): v is DataObject {
  return typeof v === 'object' && v !== null && typeof (v as { _type?: unknown })._type === 'string';
}

function typeAttr(t: string): string {
  return ` xsi:type="${t}"`;
}

function primitiveXsd(v: string | number | boolean | Date | LongValue): string {
  if (typeof v === 'string') return 'xsd:string';
  if (typeof v === 'boolean') return 'xsd:boolean';
  if (v instanceof Date) return 'xsd:dateTime';
  if (v instanceof LongValue) return 'xsd:long';
  return Number.isInteger(v) && Math.abs(v) < 2 ** 31 ? 'xsd:int' : 'xsd:long';
}

function primitiveText(v: string | number | boolean | Date | LongValue): string {
  if (v instanceof Date) return v.toISOString();
  if (v instanceof LongValue) return String(v.value);
  return escapeXml(String(v));
}

/** The ArrayOfX name and element name for a top-level array value. */
function arrayTypeOf(items: VimValue[]): { arrayType: string; itemName: string } {
  const first = items[0];
  if (first instanceof Mor) return { arrayType: 'ArrayOfManagedObjectReference', itemName: 'ManagedObjectReference' };
  if (typeof first === 'string') return { arrayType: 'ArrayOfString', itemName: 'string' };
  if (typeof first === 'boolean') return { arrayType: 'ArrayOfBoolean', itemName: 'boolean' };
  if (typeof first === 'number') {
    const long = items.some((n) => typeof n === 'number' && Math.abs(n) >= 2 ** 31);
    return long ? { arrayType: 'ArrayOfLong', itemName: 'long' } : { arrayType: 'ArrayOfInt', itemName: 'int' };
  }
  if (first instanceof LongValue) return { arrayType: 'ArrayOfLong', itemName: 'long' };
  if (isDataObject(first)) {
    const base = ARRAY_BASE[first._type] ?? first._type;
    return { arrayType: `ArrayOf${base}`, itemName: base };
  }
  return { arrayType: 'ArrayOfAnyType', itemName: 'anyType' };
}

/**
 * Encodes one element in API `version`. `typed` adds xsi:type to primitives, references and enums (anyType
 * positions).
 */
export function encodeElement(
  name: string,
  value: VimValue | undefined,
  typed = false,
  version: string = API_VERSION,
): string {
  if (value === undefined || value === null) return '';
  if (value instanceof AnyType) {
    const inner = value.value;
    if (Array.isArray(inner)) {
      const known = inner.filter((i) => !isDataObject(i) || typeKnownIn(i._type, version));
      if (known.length === 0) return '';
      const { arrayType, itemName } = arrayTypeOf(known);
      const items = known.map((i) => encodeElement(itemName, i, false, version)).join('');
      return `<${name}${typeAttr(arrayType)}>${items}</${name}>`;
    }
    return encodeElement(name, inner, true, version);
  }
  if (Array.isArray(value)) return value.map((v) => encodeElement(name, v, typed, version)).join('');
  if (value instanceof EmptyArray) {
    return typed ? `<${name}${typeAttr(`ArrayOf${value.itemType.replace(/^./, (c) => c.toUpperCase())}`)}/>` : '';
  }
  if (value instanceof Mor) {
    const t = typed ? typeAttr('ManagedObjectReference') : '';
    return `<${name}${t} type="${escapeXml(value.type)}">${escapeXml(value.value)}</${name}>`;
  }
  if (value instanceof EnumValue) {
    return `<${name}${typed ? typeAttr(value.enumType) : ''}>${escapeXml(value.value)}</${name}>`;
  }
  if (isDataObject(value)) {
    if (!typeKnownIn(value._type, version)) return '';
    let body = '';
    for (const [k, v] of Object.entries(value)) {
      if (k === '_type' || !fieldKnownIn(value._type, k, version)) continue;
      body += encodeElement(k, v, false, version);
    }
    return `<${name}${typeAttr(value._type)}>${body}</${name}>`;
  }
  const prim = value;
  return `<${name}${typed ? typeAttr(primitiveXsd(prim)) : ''}>${primitiveText(prim)}</${name}>`;
}
