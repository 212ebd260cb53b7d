// The value model the simulator answers with, and its vim25 XML encoding.
// Data objects always carry xsi:type (clients ignore it on concrete fields and need it on polymorphic ones).
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

export interface DataObject {
  _type: string;
  [field: string]: VimValue | undefined;
}

export type VimValue =
  string | number | boolean | Date | Mor | AnyType | EnumValue | LongValue | DataObject | VimValue[];

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

/** Encodes one element. `typed` adds xsi:type to primitives, references and enums (anyType positions). */
export function encodeElement(name: string, value: VimValue | undefined, typed = false): string {
  if (value === undefined || value === null) return '';
  if (value instanceof AnyType) {
    const inner = value.value;
    if (Array.isArray(inner)) {
      if (inner.length === 0) return '';
      const { arrayType, itemName } = arrayTypeOf(inner);
      return `<${name}${typeAttr(arrayType)}>${inner.map((i) => encodeElement(itemName, i)).join('')}</${name}>`;
    }
    return encodeElement(name, inner, true);
  }
  if (Array.isArray(value)) return value.map((v) => encodeElement(name, v, typed)).join('');
  if (value instanceof Mor) {
    const t = typed ? typeAttr('ManagedObjectReference') : '';
    return `<${name}${t} type="${escapeXml(value.type)}">${escapeXml(value.value)}</${name}>`;
  }
  if (value instanceof EnumValue) {
    return `<${name}${typed ? typeAttr(value.enumType) : ''}>${escapeXml(value.value)}</${name}>`;
  }
  if (isDataObject(value)) {
    let body = '';
    for (const [k, v] of Object.entries(value)) {
      if (k === '_type') continue;
      body += encodeElement(k, v);
    }
    return `<${name}${typeAttr(value._type)}>${body}</${name}>`;
  }
  const prim = value;
  return `<${name}${typed ? typeAttr(primitiveXsd(prim)) : ''}>${primitiveText(prim)}</${name}>`;
}
