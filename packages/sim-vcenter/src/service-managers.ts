import { SimpleObject } from './managed-object';
import type { ObjectRegistry } from './managed-object';
import { data, Mor } from './vim-value';
import type { DataObject } from './vim-value';

// The ServiceContent managers clients read but the simulator does not act through: each answers its
// properties (custom fields, roles, users, licences) so that a client following ServiceContent never meets
// ManagedObjectNotFound. Their methods are not simulated (MethodNotFound).

export const MANAGERS = {
  userDirectory: new Mor('UserDirectory', 'UserDirectory'),
  authorizationManager: new Mor('AuthorizationManager', 'AuthorizationManager'),
  customFieldsManager: new Mor('CustomFieldsManager', 'CustomFieldsManager'),
  fileManager: new Mor('FileManager', 'FileManager'),
  virtualDiskManager: new Mor('VirtualDiskManager', 'virtualDiskManager'),
  licenseManager: new Mor('LicenseManager', 'LicenseManager'),
  dvSwitchManager: new Mor('DistributedVirtualSwitchManager', 'DVSManager'),
} as const;

// The system roles every vCenter has (ids as on vCenter: Admin -1, ReadOnly -2, View -3, Anonymous -4,
// NoAccess -5).
const SYSTEM_ROLES: Array<{ roleId: number; name: string; label: string; privilege: string[] }> = [
  { roleId: -5, name: 'NoAccess', label: 'No access', privilege: [] },
  { roleId: -4, name: 'Anonymous', label: 'Anonymous', privilege: ['System.Anonymous'] },
  { roleId: -3, name: 'View', label: 'View', privilege: ['System.Anonymous', 'System.View'] },
  { roleId: -2, name: 'ReadOnly', label: 'Read-only', privilege: ['System.Anonymous', 'System.Read', 'System.View'] },
  { roleId: -1, name: 'Admin', label: 'Administrator', privilege: ['System.Anonymous', 'System.Read', 'System.View'] },
];

const PRIVILEGES = ['System.Anonymous', 'System.View', 'System.Read'];

function describe(key: string, label: string): DataObject {
  return data('ElementDescription', { label, summary: label, key });
}

function authorizationProperties(): Record<string, DataObject[] | DataObject> {
  return {
    roleList: SYSTEM_ROLES.map((r) =>
      data('AuthorizationRole', {
        roleId: r.roleId,
        system: true,
        name: r.name,
        info: describe(r.name, r.label),
        privilege: r.privilege,
      }),
    ),
    privilegeList: PRIVILEGES.map((p) =>
      data('AuthorizationPrivilege', {
        privId: p,
        onParent: false,
        name: p.split('.')[1] ?? p,
        privGroupName: 'System',
      }),
    ),
    description: data('AuthorizationDescription', {
      privilege: PRIVILEGES.map((p) => describe(p, p)),
      privilegeGroup: [describe('System', 'System')],
    }),
  };
}

function licenseProperties(): Record<string, DataObject | boolean | string> {
  return {
    source: data('EvaluationLicenseSource', { remainingHours: 1440 }),
    sourceAvailable: true,
    licensedEdition: '',
    evaluation: data('LicenseManagerEvaluationInfo', { properties: [] }),
  };
}

export function registerManagers(registry: ObjectRegistry): void {
  const m = MANAGERS;
  registry.add(new SimpleObject(m.customFieldsManager.type, m.customFieldsManager.value, () => ({ field: [] })));
  registry.add(new SimpleObject(m.authorizationManager.type, m.authorizationManager.value, authorizationProperties));
  registry.add(
    new SimpleObject(m.userDirectory.type, m.userDirectory.value, () => ({ domainList: ['vsphere.local'] })),
  );
  registry.add(new SimpleObject(m.licenseManager.type, m.licenseManager.value, licenseProperties));
  // No properties in vim25; they exist so method calls get MethodNotFound rather than ManagedObjectNotFound.
  for (const ref of [m.fileManager, m.virtualDiskManager, m.dvSwitchManager]) {
    registry.add(new SimpleObject(ref.type, ref.value, () => ({})));
  }
}
