import { VERSION } from '@migratekit/core';
import { SimpleObject } from './managed-object';
import type { CallContext } from './managed-object';
import { userSession } from './session-store';
import type { VCenterEngine } from './vcenter-engine';
import { AnyType, data, Mor } from './vim-value';
import type { DataObject } from './vim-value';
import { API_VERSION } from './vim-version';
import { MANAGERS, registerManagers } from './service-managers';
import { registerDatastoreBrowsers } from './datastore-browser';
import { eventManagerProperties } from './event-manager';

// ServiceInstance and the manager singletons, with the ids a vCenter 8.0 uses. Every manager named in
// ServiceContent exists as an object (service-managers.ts for those only read).

export const SERVICE = {
  serviceInstance: new Mor('ServiceInstance', 'ServiceInstance'),
  propertyCollector: new Mor('PropertyCollector', 'propertyCollector'),
  viewManager: new Mor('ViewManager', 'ViewManager'),
  sessionManager: new Mor('SessionManager', 'SessionManager'),
  searchIndex: new Mor('SearchIndex', 'SearchIndex'),
  taskManager: new Mor('TaskManager', 'TaskManager'),
  eventManager: new Mor('EventManager', 'EventManager'),
  setting: new Mor('OptionManager', 'VpxSettings'),
  ...MANAGERS,
} as const;

export function aboutInfo(engine: VCenterEngine): DataObject {
  return data('AboutInfo', {
    name: 'VMware vCenter Server',
    fullName: 'VMware vCenter Server 8.0.2 build-22385739',
    vendor: 'VMware, Inc.',
    version: '8.0.2',
    build: '22385739',
    localeVersion: 'INTL',
    localeBuild: '000',
    osType: 'linux-x64',
    productLineId: 'vpx',
    apiType: 'VirtualCenter',
    apiVersion: API_VERSION,
    instanceUuid: engine.instanceUuid,
    licenseProductName: 'VMware VirtualCenter Server',
    licenseProductVersion: '8.0',
  });
}

export function serviceContent(engine: VCenterEngine): DataObject {
  return data('ServiceContent', {
    rootFolder: engine.rootFolder.ref,
    propertyCollector: SERVICE.propertyCollector,
    viewManager: SERVICE.viewManager,
    about: aboutInfo(engine),
    setting: SERVICE.setting,
    userDirectory: SERVICE.userDirectory,
    sessionManager: SERVICE.sessionManager,
    authorizationManager: SERVICE.authorizationManager,
    eventManager: SERVICE.eventManager,
    taskManager: SERVICE.taskManager,
    customFieldsManager: SERVICE.customFieldsManager,
    licenseManager: SERVICE.licenseManager,
    searchIndex: SERVICE.searchIndex,
    fileManager: SERVICE.fileManager,
    virtualDiskManager: SERVICE.virtualDiskManager,
    dvSwitchManager: SERVICE.dvSwitchManager,
  });
}

/** Registers the singletons whose properties clients read. */
export function registerServiceObjects(engine: VCenterEngine): void {
  const r = engine.registry;
  r.add(
    new SimpleObject('ServiceInstance', 'ServiceInstance', () => ({
      content: serviceContent(engine),
      serverClock: engine.opts.clock.now(),
      capability: data('Capability', {
        provisioningSupported: true,
        multiHostSupported: true,
        userShellAccessSupported: false,
      }),
    })),
  );
  r.add(
    new SimpleObject('SessionManager', 'SessionManager', (ctx: CallContext) => {
      const s = engine.sessions.get(ctx.sessionKey);
      return {
        currentSession: s ? userSession(s) : undefined,
        defaultLocale: 'en',
        supportedLocaleList: ['en'],
        message: undefined,
      };
    }),
  );
  r.add(
    new SimpleObject('TaskManager', 'TaskManager', () => ({
      recentTask: engine.recentTasks().map((t) => t.ref),
      maxCollector: 32,
    })),
  );
  r.add(new SimpleObject('SearchIndex', 'SearchIndex', () => ({})));
  r.add(new SimpleObject('ViewManager', 'ViewManager', () => ({ viewList: [] })));
  r.add(new SimpleObject('PropertyCollector', 'propertyCollector', () => ({ filter: [] })));
  r.add(new SimpleObject('EventManager', 'EventManager', eventManagerProperties));
  registerManagers(r);
  registerDatastoreBrowsers(r);
  r.add(
    new SimpleObject('OptionManager', 'VpxSettings', () => ({
      setting: [
        data('OptionValue', { key: 'VirtualCenter.FQDN', value: new AnyType('vcenter.lab.local') }),
        data('OptionValue', { key: 'migratekit.simulator', value: new AnyType(VERSION) }),
      ],
    })),
  );
}
