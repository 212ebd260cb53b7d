// Builds vim25 request bodies. vim25's schema uses xsd:sequence, so callers emit elements in WSDL order;
// fragments are branded so text is escaped exactly once.
import { escapeXml } from '@migratekit/node-common';
import type { MoRef } from '../vim-types';

export type XmlFragment = string & { readonly __xml: true };

export type LeafValue = string | number | boolean;

function attributes(attrs: Record<string, string> | undefined): string {
  if (attrs === undefined) return '';
  return Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
    .join('');
}

/** An element holding escaped text; omitted entirely when the value is undefined. */
export function leaf(name: string, value: LeafValue | undefined, attrs?: Record<string, string>): XmlFragment {
  if (value === undefined) return '' as XmlFragment;
  return `<${name}${attributes(attrs)}>${escapeXml(String(value))}</${name}>` as XmlFragment;
}

/** An element holding child fragments (undefined children are skipped). */
export function node(
  name: string,
  children: readonly (XmlFragment | undefined)[],
  attrs?: Record<string, string>,
): XmlFragment {
  return `<${name}${attributes(attrs)}>${children.filter((c) => c !== undefined).join('')}</${name}>` as XmlFragment;
}

/** A list of elements with the same name (vim25 arrays are repeated elements). */
export function leaves(name: string, values: readonly LeafValue[]): XmlFragment {
  return values.map((v) => leaf(name, v)).join('') as XmlFragment;
}

export function moRefElement(name: string, ref: MoRef | undefined): XmlFragment {
  if (ref === undefined) return '' as XmlFragment;
  return leaf(name, ref.value, { type: ref.type });
}

const SOAP_ENV_NS = 'http://schemas.xmlsoap.org/soap/envelope/';
const XSI_NS = 'http://www.w3.org/2001/XMLSchema-instance';
const XSD_NS = 'http://www.w3.org/2001/XMLSchema';
const VIM25_NS = 'urn:vim25';

/** Wraps one method call: `<Method xmlns="urn:vim25"><_this type=..>..</_this>...params</Method>`. */
export function soapEnvelope(method: string, self: MoRef, params: readonly (XmlFragment | undefined)[]): string {
  const body = node(method, [moRefElement('_this', self), ...params], { xmlns: VIM25_NS });
  return (
    '<?xml version="1.0" encoding="UTF-8"?>' +
    `<soapenv:Envelope xmlns:soapenv="${SOAP_ENV_NS}" xmlns:xsd="${XSD_NS}" xmlns:xsi="${XSI_NS}">` +
    `<soapenv:Body>${body}</soapenv:Body></soapenv:Envelope>`
  );
}
