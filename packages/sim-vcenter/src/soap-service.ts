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

// One SOAP request in, one SOAP response out: envelope parsing, session checks, dispatch, faults.

export interface SoapCall {
  body: string;
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
      ...vmMethods,
      RetrieveServiceContent: () => serviceContent(engine),
      CurrentTime: () => engine.opts.clock.now(),
    };
  }

  async handle(call: SoapCall): Promise<SoapReply> {
    let method = '';
    try {
      const envelope = parseXml(call.body);
      const body = child(envelope, 'Body');
      const request = body?.children[0];
      if (!request) return { status: 500, body: clientFaultEnvelope('No SOAP body') };
      method = request.name;
      const self = toMor(child(request, '_this'));
      if (!self) return { status: 500, body: clientFaultEnvelope(`${method}: missing _this`) };
      const session = this.engine.sessions.fromCookieHeader(call.cookie);

      if (method === 'Login') return { ...this.login(request, call), method };
      if (method === 'Logout') {
        if (session) this.engine.endSession(session.key);
        return { status: 200, body: responseEnvelope(method, undefined), method };
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
      return { status: 200, body: responseEnvelope(method, value), method };
    } catch (err) {
      return { status: 500, body: faultEnvelope(asVimFault(err)), method };
    }
  }

  private login(request: XNode, call: SoapCall): SoapReply {
    const user = childText(request, 'userName') ?? '';
    const password = childText(request, 'password') ?? '';
    if (user !== this.engine.opts.username || password !== this.engine.opts.password) {
      return { status: 500, body: faultEnvelope(faults.invalidLogin()) };
    }
    const s = this.engine.sessions.create(user, call.ipAddress, call.userAgent);
    return {
      status: 200,
      body: responseEnvelope('Login', userSession(s)),
      setCookie: `${SESSION_COOKIE}="${s.key}"; Path=/; HttpOnly; Secure`,
    };
  }
}
