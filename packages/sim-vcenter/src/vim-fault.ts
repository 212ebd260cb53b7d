import { escapeXml } from '@migratekit/node-common';
import { data, encodeElement } from './vim-value';
import type { DataObject, VimValue, Mor } from './vim-value';

/** A vim25 fault: thrown by method handlers, sent as a SOAP fault or stored in a failed task's info.error. */
export class VimFault extends Error {
  constructor(
    readonly faultType: string,
    message: string,
    readonly fields: Record<string, VimValue | undefined> = {},
  ) {
    super(message);
    this.name = 'VimFault';
  }

  toDataObject(): DataObject {
    return data(this.faultType, { ...this.fields });
  }

  /** LocalizedMethodFault, as TaskInfo.error carries it. */
  toLocalized(): DataObject {
    return data('LocalizedMethodFault', { fault: this.toDataObject(), localizedMessage: this.message });
  }
}

export const faults = {
  invalidLogin: (): VimFault =>
    new VimFault('InvalidLogin', 'Cannot complete login due to an incorrect user name or password.'),
  notAuthenticated: (obj: Mor): VimFault =>
    new VimFault('NotAuthenticated', 'The session is not authenticated.', { object: obj, privilegeId: 'System.View' }),
  notFound: (obj: Mor): VimFault =>
    new VimFault('ManagedObjectNotFound', 'The object has already been deleted or has not been completely created', {
      obj,
    }),
  invalidArgument: (property: string): VimFault =>
    new VimFault('InvalidArgument', `A specified parameter was not correct: ${property}`, {
      invalidProperty: property,
    }),
  fileFault: (file: string, why: string): VimFault =>
    new VimFault('FileFault', `Error caused by file ${file}: ${why}`, { file }),
  invalidPowerState: (requested: string, existing: string): VimFault =>
    new VimFault('InvalidPowerState', 'The attempted operation cannot be performed in the current state.', {
      requestedState: requested,
      existingState: existing,
    }),
  invalidState: (why: string): VimFault => new VimFault('InvalidState', why),
  toolsUnavailable: (): VimFault =>
    new VimFault(
      'ToolsUnavailable',
      'Cannot complete operation because VMware Tools is not running in this virtual machine.',
    ),
  notSupported: (what: string): VimFault =>
    new VimFault('NotSupported', `The operation is not supported on the object: ${what}`),
  methodNotFound: (method: string, obj: Mor): VimFault =>
    new VimFault('MethodNotFound', `Method ${method} not implemented by the simulator`, { receiver: obj, method }),
};

const ENVELOPE_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?>\n<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>';
const ENVELOPE_CLOSE = '</soapenv:Body></soapenv:Envelope>';

/** `returnval` may be a list (repeated elements) or absent (void methods); encoded for API `version`. */
export function responseEnvelope(method: string, returnval: VimValue | undefined, version?: string): string {
  const body = returnval === undefined ? '' : encodeElement('returnval', returnval, false, version);
  return `${ENVELOPE_OPEN}<${method}Response xmlns="urn:vim25">${body}</${method}Response>${ENVELOPE_CLOSE}`;
}

export function faultEnvelope(fault: VimFault, version?: string): string {
  let fields = '';
  for (const [k, v] of Object.entries(fault.fields)) fields += encodeElement(k, v, false, version);
  const detail = `<${fault.faultType}Fault xmlns="urn:vim25" xsi:type="${fault.faultType}">${fields}</${fault.faultType}Fault>`;
  return `${ENVELOPE_OPEN}<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>${escapeXml(fault.message)}</faultstring><detail>${detail}</detail></soapenv:Fault>${ENVELOPE_CLOSE}`;
}

/** A SOAP-level fault for requests the simulator cannot even parse. */
export function clientFaultEnvelope(message: string): string {
  return `${ENVELOPE_OPEN}<soapenv:Fault><faultcode>ClientFaultCode</faultcode><faultstring>${escapeXml(message)}</faultstring></soapenv:Fault>${ENVELOPE_CLOSE}`;
}
