// A recorded-style vCenter estate for unit tests: inventory objects and one Windows VM with every disk and
// NIC flavour discovery must handle (standard and distributed port groups, RDM, independent, thick, EFI).
import { objectContent } from './fake-transport';

function entity(type: string, value: string, name: string, parentRef?: [string, string], extra = {}): string {
  const props: Record<string, [string, string]> = { name: ['xsd:string', name], ...extra };
  const xml = objectContent({ type, value }, props);
  if (parentRef === undefined) return xml;
  // DynamicProperty "parent" holds a ManagedObjectReference with its own type attribute.
  return xml.replace(
    '</objects>',
    `<propSet><name>parent</name><val xsi:type="ManagedObjectReference" type="${parentRef[0]}">${parentRef[1]}</val></propSet></objects>`,
  );
}

export const INVENTORY_OBJECTS = [
  entity('Datacenter', 'datacenter-3', 'Frankfurt', ['Folder', 'group-d1']),
  entity('Folder', 'group-v4', 'vm', ['Datacenter', 'datacenter-3']),
  entity('Folder', 'group-v100', 'Production', ['Folder', 'group-v4']),
  entity('Folder', 'group-n6', 'network', ['Datacenter', 'datacenter-3']),
  entity('Folder', 'group-s5', 'datastore', ['Datacenter', 'datacenter-3']),
  entity('Folder', 'group-h2', 'host', ['Datacenter', 'datacenter-3']),
  entity('ClusterComputeResource', 'domain-c8', 'Cluster-A', ['Folder', 'group-h2']),
  entity('HostSystem', 'host-10', 'esx01.example.com', ['ClusterComputeResource', 'domain-c8']),
  entity('Network', 'network-12', 'VM Network', ['Folder', 'group-n6']),
  entity('DistributedVirtualPortgroup', 'dvportgroup-21', 'VLAN 253 - DMZ', ['Folder', 'group-n6'], {
    key: ['xsd:string', 'dvportgroup-21'],
  }),
  entity('Datastore', 'datastore-15', 'vsanDatastore', ['Folder', 'group-s5'], {
    'summary.capacity': ['xsd:long', '4398046511104'],
    'summary.freeSpace': ['xsd:long', '1099511627776'],
    'summary.type': ['xsd:string', 'vsan'],
  }),
  entity('Datastore', 'datastore-16', 'SAN-LUN-01', ['Folder', 'group-s5']),
];

const DEVICES =
  '<VirtualDevice xsi:type="VirtualLsiLogicSASController"><key>1000</key><deviceInfo><label>SCSI controller 0</label>' +
  '<summary>LSI Logic SAS</summary></deviceInfo><busNumber>0</busNumber><device>2000</device><device>2001</device>' +
  '<sharedBus>noSharing</sharedBus></VirtualDevice>' +
  '<VirtualDevice xsi:type="VirtualDisk"><key>2000</key><deviceInfo><label>Hard disk 1</label><summary>83,886,080 KB</summary>' +
  '</deviceInfo><backing xsi:type="VirtualDiskFlatVer2BackingInfo"><fileName>[vsanDatastore] 1a2b/sql-01.vmdk</fileName>' +
  '<datastore type="Datastore">datastore-15</datastore><diskMode>persistent</diskMode><thinProvisioned>false</thinProvisioned>' +
  '<eagerlyScrub>false</eagerlyScrub><uuid>6000C29a</uuid><changeId>52 de c0 2b 7a 3b 1a 9d-2a 1f 5e 26 4b 38 9c 88/17</changeId>' +
  '</backing><controllerKey>1000</controllerKey><unitNumber>0</unitNumber><capacityInKB>83886080</capacityInKB>' +
  '<capacityInBytes>85899345920</capacityInBytes></VirtualDevice>' +
  '<VirtualDevice xsi:type="VirtualDisk"><key>2001</key><deviceInfo><label>Hard disk 2</label><summary>x</summary></deviceInfo>' +
  '<backing xsi:type="VirtualDiskFlatVer2BackingInfo"><fileName>[vsanDatastore] 1a2b/sql-01_1.vmdk</fileName>' +
  '<datastore type="Datastore">datastore-15</datastore><diskMode>independent_persistent</diskMode>' +
  '<thinProvisioned>true</thinProvisioned></backing><controllerKey>1000</controllerKey><unitNumber>1</unitNumber>' +
  '<capacityInKB>10485760</capacityInKB><capacityInBytes>10737418240</capacityInBytes></VirtualDevice>' +
  '<VirtualDevice xsi:type="VirtualDisk"><key>2002</key><deviceInfo><label>Hard disk 3</label><summary>x</summary></deviceInfo>' +
  '<backing xsi:type="VirtualDiskRawDiskMappingVer1BackingInfo"><fileName>[SAN-LUN-01] sql-01/sql-01_2.vmdk</fileName>' +
  '<datastore type="Datastore">datastore-16</datastore><compatibilityMode>physicalMode</compatibilityMode>' +
  '<diskMode>independent_persistent</diskMode><lunUuid>0200</lunUuid></backing><controllerKey>1000</controllerKey>' +
  '<unitNumber>2</unitNumber><capacityInKB>1048576</capacityInKB></VirtualDevice>' +
  '<VirtualDevice xsi:type="VirtualVmxnet3"><key>4000</key><deviceInfo><label>Network adapter 1</label>' +
  '<summary>VM Network</summary></deviceInfo><backing xsi:type="VirtualEthernetCardNetworkBackingInfo">' +
  '<deviceName>VM Network</deviceName><network type="Network">network-12</network></backing>' +
  '<connectable><startConnected>true</startConnected><allowGuestControl>true</allowGuestControl>' +
  '<connected>true</connected><status>ok</status></connectable><controllerKey>100</controllerKey><unitNumber>7</unitNumber>' +
  '<addressType>assigned</addressType><macAddress>00:50:56:85:bf:a2</macAddress></VirtualDevice>' +
  '<VirtualDevice xsi:type="VirtualE1000e"><key>4001</key><deviceInfo><label>Network adapter 2</label>' +
  '<summary>DVSwitch: 50 0f</summary></deviceInfo>' +
  '<backing xsi:type="VirtualEthernetCardDistributedVirtualPortBackingInfo"><port>' +
  '<switchUuid>50 0f 4b 39 7c 8e 7f a2-5c 7b 9e 94 c2 3b 11 7d</switchUuid><portgroupKey>dvportgroup-21</portgroupKey>' +
  '<portKey>34</portKey></port></backing><connectable><startConnected>false</startConnected>' +
  '<allowGuestControl>true</allowGuestControl><connected>false</connected></connectable>' +
  '<controllerKey>100</controllerKey><unitNumber>8</unitNumber><macAddress>00:50:56:85:0c:11</macAddress></VirtualDevice>';

const SNAPSHOTS =
  '<currentSnapshot type="VirtualMachineSnapshot">snapshot-52</currentSnapshot>' +
  '<rootSnapshotList><snapshot type="VirtualMachineSnapshot">snapshot-51</snapshot><vm type="VirtualMachine">vm-42</vm>' +
  '<name>before patch</name><description></description><id>1</id><createTime>2025-09-20T06:08:53Z</createTime>' +
  '<state>poweredOn</state><quiesced>false</quiesced><childSnapshotList><snapshot type="VirtualMachineSnapshot">' +
  'snapshot-52</snapshot><vm type="VirtualMachine">vm-42</vm><name>after patch</name><description>d</description>' +
  '<id>2</id><createTime>2025-09-21T06:08:53Z</createTime><state>poweredOn</state><quiesced>true</quiesced>' +
  '</childSnapshotList></rootSnapshotList>';

export const SQL_VM = objectContent(
  { type: 'VirtualMachine', value: 'vm-42' },
  {
    name: ['xsd:string', 'sql-01'],
    parent: ['ManagedObjectReference', 'group-v100'],
    'config.instanceUuid': ['xsd:string', '5029c5a1-8f2b-4d6e-9a7c-3e1f0b2d4c6a'],
    'config.uuid': ['xsd:string', '4229c5a1-0000-0000-0000-000000000001'],
    'config.template': ['xsd:boolean', 'false'],
    'config.hardware.numCPU': ['xsd:int', '8'],
    'config.hardware.memoryMB': ['xsd:int', '32768'],
    'config.hardware.device': ['ArrayOfVirtualDevice', DEVICES],
    'config.guestFullName': ['xsd:string', 'Microsoft Windows Server 2022 (64-bit)'],
    'config.guestId': ['xsd:string', 'windows2019srvNext_64Guest'],
    'config.firmware': ['xsd:string', 'efi'],
    'config.changeTrackingEnabled': ['xsd:boolean', 'true'],
    'guest.toolsStatus': ['VirtualMachineToolsStatus', 'toolsOk'],
    'guest.toolsRunningStatus': ['xsd:string', 'guestToolsRunning'],
    'runtime.powerState': ['VirtualMachinePowerState', 'poweredOn'],
    snapshot: ['VirtualMachineSnapshotInfo', SNAPSHOTS],
  },
).replace(
  '<val xsi:type="ManagedObjectReference">group-v100</val>',
  '<val xsi:type="ManagedObjectReference" type="Folder">group-v100</val>',
);
