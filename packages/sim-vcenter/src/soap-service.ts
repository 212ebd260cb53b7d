import { collectorMethods } from './collector-methods';
import type { MethodRequest } from './collector-methods';
import { SESSION_COOKIE, userSession } from './session-store';
import { registerServiceObjects, serviceContent } from './service-content';
import type { VCenterEngine } from './vcenter-engine';
import { clientFaultEnvelope, faultEnvelope, faults, responseEnvelope } from './vim-fault';
import { asVimFault } from './sim-task';
import type { VimValue } from './vim-value';
import { child, childText, parseXml, toMor } from './xml-node';
import type { XNode } from './xml-node';
import { vmMethods } from './vm-methods';
import { viewMethods } from './view-methods';
import { eventMethods } from './event-manager';
import { datastoreBrowserMethods } from './datastore-browser';
import { negotiatedVersion } from './vim-version';

// One SOAP request in, one SOAP response out: envelope parsing, session checks, dispatch, faults.

export interface SoapCall {
  body: string;
  /** The SOAPAction header ("urn:vim25/6.7"): the API version the answer is encoded in. */
  soapAction: string | undefined;
  cookie: string | undefined;
  ipAddress: string;
  userAgent: string;
}

export interface SoapReply {
  status: number;
  body: string;
  setCookie?: string;
  /** The vim25 method called, for logs. */
  method?: string;
}

type Handler = (req: MethodRequest) => Promise<VimValue | undefined> | VimValue | undefined;

// Methods a client may call before logging in.
const ANONYMOUS = new Set(['RetrieveServiceContent', 'Login', 'CurrentTime', 'Logout']);

export class SoapService {
  private readonly methods: Record<string, Handler>;

  constructor(private readonly engine: VCenterEngine) {
    registerServiceObjects(engine);
    this.methods = {
      ...collectorMethods,
      ...viewMethods,
      ...eventMethods,
      ...datastoreBrowserMethods,
      ...vmMethods,
      RetrieveServiceContent: () => serviceContent(engine),
      CurrentTime: () => engine.opts.clock.now(),
    };
  }

  async handle(call: SoapCall): Promise<SoapReply> {
    let method = '';
    const version = negotiatedVersion(call.soapAction);
    try {
      const envelope = parseXml(call.body);
      const body = child(envelope, 'Body');
      const request = body?.children[0];
      if (!request) return { status: 500, body: clientFaultEnvelope('No SOAP body') };
      method = request.name;
      const self = toMor(child(request, '_this'));
      if (!self) return { status: 500, body: clientFaultEnvelope(`${method}: missing _this`) };
      const session = this.engine.sessions.fromCookieHeader(call.cookie);

      if (method === 'Login') return { ...this.login(request, call, version), method };
      if (method === 'Logout') {
        if (session) {
          this.engine.events.logout(session.userName, session.ipAddress, session.userAgent, session.key);
          this.engine.endSession(session.key);
        }
        return { status: 200, body: responseEnvelope(method, undefined, version), method };
      }
      if (!session && !ANONYMOUS.has(method)) throw faults.notAuthenticated(self);
      const handler = this.methods[method];
      if (!handler) throw faults.methodNotFound(method, self);
      // Task methods fail inside their task (runTask takes the scripted fault); others fail the call.
      const injected = method.endsWith('_Task') ? undefined : this.engine.takeInjectedFault(method);
      if (injected) throw injected;
      if (
        ![
          'PropertyCollector',
          'ViewManager',
          'SearchIndex',
          'ServiceInstance',
          'ContainerView',
          'PropertyFilter',
        ].includes(self.type)
      ) {
        this.engine.registry.get(self);
      }
      const value = await handler({
        engine: this.engine,
        ctx: { sessionKey: session?.key },
        userName: session?.userName ?? '',
        self,
        body: request,
      });
      return { status: 200, body: responseEnvelope(method, value, version), method };
    } catch (err) {
      return { status: 500, body: faultEnvelope(asVimFault(err), version), method };
    }
  }

  private login(request: XNode, call: SoapCall, version: string): SoapReply {
    const user = childText(request, 'userName') ?? '';
    const password = childText(request, 'password') ?? '';
    if (user !== this.engine.opts.username || password !== this.engine.opts.password) {
      return { status: 500, body: faultEnvelope(faults.invalidLogin(), version) };
    }
    const s = this.engine.sessions.create(user, call.ipAddress, call.userAgent);
    this.engine.events.login(user, call.ipAddress, call.userAgent, s.key);
    return {
      status: 200,
      body: responseEnvelope('Login', userSession(s), version),
      setCookie: `${SESSION_COOKIE}="${s.key}"; Path=/; HttpOnly; Secure`,
    };
  }
}
