// An in-memory SoapTransport for unit tests: answers each vim25 method from a handler table with recorded
// (vCenter-formatted) SOAP bodies, and records what the client sent.
import { child, parseXml, type XmlNode } from '@migratekit/node-common';
import type { SoapHttpRequest, SoapHttpResponse, SoapTransport } from '../src/soap/https-transport';

export interface RecordedCall {
  method: string;
  body: XmlNode;
  raw: string;
  soapAction: string;
  cookie: string | undefined;
}

export type Handler = (call: RecordedCall) => string | SoapHttpResponse;

const ENVELOPE_OPEN =
  '<?xml version="1.0" encoding="UTF-8"?>\n<soapenv:Envelope xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/"\n' +
  ' xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"\n xmlns:xsd="http://www.w3.org/2001/XMLSchema"\n' +
  ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n<soapenv:Body>\n';
const ENVELOPE_CLOSE = '\n</soapenv:Body>\n</soapenv:Envelope>';

/** `<MethodResponse xmlns="urn:vim25">inner</MethodResponse>` in a vCenter-style envelope. */
export function soapResponse(method: string, inner: string): string {
  return `${ENVELOPE_OPEN}<${method}Response xmlns="urn:vim25">${inner}</${method}Response>${ENVELOPE_CLOSE}`;
}

export function soapFault(faultstring: string, detail: string): SoapHttpResponse {
  return {
    status: 500,
    setCookie: [],
    body:
      `${ENVELOPE_OPEN}<soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>${faultstring}</faultstring>` +
      `<detail>${detail}</detail></soapenv:Fault>${ENVELOPE_CLOSE}`,
  };
}

const SERVICE_CONTENT = soapResponse(
  'RetrieveServiceContent',
  '<returnval><rootFolder type="Folder">group-d1</rootFolder>' +
    '<propertyCollector type="PropertyCollector">propertyCollector</propertyCollector>' +
    '<viewManager type="ViewManager">ViewManager</viewManager>' +
    '<about><name>VMware vCenter Server</name><fullName>VMware vCenter Server 8.0.2 build-22617221</fullName>' +
    '<vendor>VMware, Inc.</vendor><version>8.0.2</version><build>22617221</build><apiType>VirtualCenter</apiType>' +
    '<apiVersion>8.0.2.0</apiVersion><instanceUuid>6b1c7d2e-0000-4000-8000-000000000001</instanceUuid></about>' +
    '<sessionManager type="SessionManager">SessionManager</sessionManager>' +
    '<searchIndex type="SearchIndex">SearchIndex</searchIndex></returnval>',
);

const LOGIN = soapResponse(
  'Login',
  '<returnval><key>52a1</key><userName>VSPHERE.LOCAL\\migratekit</userName><fullName>migratekit</fullName></returnval>',
);

export class FakeTransport implements SoapTransport {
  readonly endpoint = 'https://vcenter.test:443/sdk';
  readonly calls: RecordedCall[] = [];
  closed = false;

  constructor(private readonly handlers: Record<string, Handler>) {}

  methods(): string[] {
    return this.calls.map((c) => c.method);
  }

  post(req: SoapHttpRequest): Promise<SoapHttpResponse> {
    const envelope = parseXml(req.body);
    const body = child(envelope, 'Body')?.children[0];
    if (body === undefined) return Promise.reject(new Error('request without body'));
    const call: RecordedCall = {
      method: body.name,
      body,
      raw: req.body,
      soapAction: req.soapAction,
      cookie: req.cookie,
    };
    this.calls.push(call);
    const handler = this.handlers[body.name];
    if (handler === undefined) {
      return Promise.resolve(
        soapFault(`no handler for ${body.name}`, `<MethodNotFoundFault xmlns="urn:vim25" xsi:type="MethodNotFound"/>`),
      );
    }
    const answer = handler(call);
    return Promise.resolve(typeof answer === 'string' ? { status: 200, body: answer, setCookie: [] } : answer);
  }

  close(): void {
    this.closed = true;
  }
}

/** An ObjectContent element: props map a property path to the inner XML of its `<val>` (with xsi:type). */
export function objectContent(obj: { type: string; value: string }, props: Record<string, [string, string]>): string {
  const propSet = Object.entries(props)
    .map(
      ([name, [xsiType, inner]]) => `<propSet><name>${name}</name><val xsi:type="${xsiType}">${inner}</val></propSet>`,
    )
    .join('');
  return `<objects><obj type="${obj.type}">${obj.value}</obj>${propSet}</objects>`;
}

export function retrieveResult(objects: string[], token?: string): string {
  return `<returnval>${token ? `<token>${token}</token>` : ''}${objects.join('')}</returnval>`;
}

/** The moref of the first objectSet in a RetrievePropertiesEx request. */
export function requestedObject(call: RecordedCall): { type: string; value: string } | undefined {
  const obj = child(child(child(call.body, 'specSet'), 'objectSet'), 'obj');
  return obj ? { type: obj.attrs.type ?? '', value: obj.text } : undefined;
}

export const BASE_HANDLERS: Record<string, Handler> = {
  RetrieveServiceContent: () => SERVICE_CONTENT,
  Login: () => ({
    status: 200,
    body: LOGIN,
    setCookie: ['vmware_soap_session="52a1f00d"; Path=/; HttpOnly; Secure;'],
  }),
  Logout: () => soapResponse('Logout', ''),
};
