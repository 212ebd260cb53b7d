// One vim25 session: the service content, the session cookie, and method invocation with fault mapping.
// A NotAuthenticated fault (the session expired on the vCenter side) triggers one re-login and one retry.
import { MigrateKitError } from '@migratekit/core';
import {
  moRef,
  type MoRef,
  parseServiceContent,
  parseUserSession,
  type ServiceContent,
  type UserSession,
} from '../vim-types';
import { child, childrenNamed, parseXml, type XmlNode } from '@migratekit/node-common';
import { leaf, soapEnvelope, type XmlFragment } from '../xml/xml-writer';
import type { SoapTransport } from './https-transport';
import { NotAuthenticatedError, parseLocalizedMethodFault, parseSoapFault } from './vim-faults';

/** pino-compatible subset; the default logs nothing. */
export interface VsphereLogger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
}

export const silentLogger: VsphereLogger = { debug: () => {}, info: () => {}, warn: () => {} };

const SERVICE_INSTANCE = moRef('ServiceInstance', 'ServiceInstance');
// Used until the server tells us its own version; every vCenter since 6.5 accepts it.
const INITIAL_API_VERSION = '6.5';
const SESSION_COOKIE = 'vmware_soap_session';
// Methods that must not trigger the automatic re-login (they are the login machinery itself).
const NO_RELOGIN = new Set(['RetrieveServiceContent', 'Login', 'Logout']);

export interface Credentials {
  username: string;
  password: string;
}

export class VimSession {
  private cookies = new Map<string, string>();
  private content: ServiceContent | undefined;
  private credentials: Credentials | undefined;
  private apiVersion = INITIAL_API_VERSION;
  private relogin: Promise<void> | undefined;
  readonly logger: VsphereLogger;

  constructor(
    readonly transport: SoapTransport,
    logger: VsphereLogger = silentLogger,
  ) {
    this.logger = logger;
  }

  get serviceContent(): ServiceContent {
    if (this.content === undefined) throw new Error('VimSession: call retrieveServiceContent() first');
    return this.content;
  }

  get sessionCookie(): string | undefined {
    return this.cookies.get(SESSION_COOKIE);
  }

  async retrieveServiceContent(): Promise<ServiceContent> {
    const response = await this.invoke('RetrieveServiceContent', SERVICE_INSTANCE, []);
    const returnval = child(response, 'returnval');
    if (returnval === undefined) throw upstreamError('RetrieveServiceContent returned nothing');
    this.content = parseServiceContent(returnval);
    if (/^\d+\.\d+/.test(this.content.about.apiVersion)) this.apiVersion = this.content.about.apiVersion;
    return this.content;
  }

  async login(credentials: Credentials): Promise<UserSession> {
    const sessionManager = this.serviceContent.sessionManager;
    if (sessionManager === undefined) throw upstreamError('vCenter has no SessionManager');
    const response = await this.invoke('Login', sessionManager, [
      leaf('userName', credentials.username),
      leaf('password', credentials.password),
    ]);
    this.credentials = credentials;
    const returnval = child(response, 'returnval');
    if (returnval === undefined) throw upstreamError('Login returned no session');
    const session = parseUserSession(returnval);
    this.logger.info({ user: session.userName, endpoint: this.transport.endpoint }, 'vsphere login');
    return session;
  }

  async logout(): Promise<void> {
    const sessionManager = this.content?.sessionManager;
    this.credentials = undefined;
    if (sessionManager === undefined || this.sessionCookie === undefined) return;
    try {
      await this.invoke('Logout', sessionManager, []);
    } finally {
      this.cookies.clear();
    }
  }

  /** Calls a vim25 method and returns its `<MethodResponse>` element; faults are thrown as typed errors. */
  async invoke(method: string, self: MoRef, params: readonly (XmlFragment | undefined)[]): Promise<XmlNode> {
    try {
      return await this.invokeOnce(method, self, params);
    } catch (error) {
      if (!(error instanceof NotAuthenticatedError) || this.credentials === undefined || NO_RELOGIN.has(method)) {
        throw error;
      }
      this.logger.warn({ method, endpoint: this.transport.endpoint }, 'vsphere session expired; logging in again');
      await this.reloginShared(this.credentials);
      return this.invokeOnce(method, self, params);
    }
  }

  // Calls that fail together on an expired session share one Login instead of each starting their own.
  private reloginShared(credentials: Credentials): Promise<void> {
    this.relogin ??= (async () => {
      this.cookies.clear();
      await this.login(credentials);
    })().finally(() => {
      this.relogin = undefined;
    });
    return this.relogin;
  }

  /** Like invoke, returning the first `returnval` (undefined for void methods). */
  async call(method: string, self: MoRef, params: readonly (XmlFragment | undefined)[]): Promise<XmlNode | undefined> {
    return child(await this.invoke(method, self, params), 'returnval');
  }

  private cookieHeader(): string | undefined {
    if (this.cookies.size === 0) return undefined;
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  private rememberCookies(setCookie: readonly string[]): void {
    for (const header of setCookie) {
      const pair = header.split(';', 1)[0] ?? '';
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }

  private async invokeOnce(
    method: string,
    self: MoRef,
    params: readonly (XmlFragment | undefined)[],
  ): Promise<XmlNode> {
    const started = Date.now();
    const response = await this.transport.post({
      body: soapEnvelope(method, self, params),
      soapAction: `urn:vim25/${this.apiVersion}`,
      cookie: this.cookieHeader(),
    });
    this.rememberCookies(response.setCookie);
    let envelope: XmlNode;
    try {
      envelope = parseXml(response.body);
    } catch (error) {
      throw upstreamError(`${method}: HTTP ${response.status} with a body that is not XML`, error);
    }
    const body = child(envelope, 'Body');
    const first = body?.children[0];
    if (envelope.name !== 'Envelope' || first === undefined) {
      throw upstreamError(`${method}: HTTP ${response.status} without a SOAP body`);
    }
    this.logger.debug({ method, status: response.status, ms: Date.now() - started }, 'vsphere call');
    if (first.name === 'Fault') throw parseSoapFault(first);
    if (PROPERTY_METHODS.has(method)) throwIfSessionExpired(first);
    return first;
  }
}

// The PropertyCollector reports an expired session per property (missingSet with NotAuthenticated) rather
// than as a SOAP fault; treat that as the fault so the re-login path covers property reads too.
const PROPERTY_METHODS = new Set(['RetrievePropertiesEx', 'ContinueRetrievePropertiesEx', 'RetrieveProperties']);

function throwIfSessionExpired(response: XmlNode): void {
  for (const returnval of childrenNamed(response, 'returnval')) {
    const contents = child(returnval, 'obj') ? [returnval] : childrenNamed(returnval, 'objects');
    for (const content of contents) {
      for (const missing of childrenNamed(content, 'missingSet')) {
        const fault = parseLocalizedMethodFault(child(missing, 'fault'));
        if (fault instanceof NotAuthenticatedError) throw fault;
      }
    }
  }
}

function upstreamError(message: string, cause?: unknown): MigrateKitError {
  return new MigrateKitError('MKE_UPSTREAM_ERROR', { message, cause });
}
