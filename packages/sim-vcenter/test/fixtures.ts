import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:https';
import { startVCenterSimulator } from '../src/index';
import type { InventorySpec, VCenterSimulator, VCenterSimulatorOptions } from '../src/index';
import { child, parseXml, xsiType } from '../src/xml-node';
import type { XNode } from '../src/xml-node';

export const MiB = 1024 * 1024;

/** A small estate: fast to create, still with clusters, both kinds of port group, multi-disk and multi-NIC VMs. */
export const smallInventory: InventorySpec = {
  datacenters: [
    {
      name: 'DC-Test',
      clusters: [{ name: 'Cluster-A', hosts: [{ name: 'esx-a1.test' }, { name: 'esx-a2.test' }] }],
      datastores: [{ name: 'DS-01', capacityGiB: 100 }],
      networks: [{ name: 'VLAN 253 - DMZ', vlan: 253 }],
      distributedSwitches: [{ name: 'DSwitch-T', portgroups: [{ name: 'Prod-Web-100', vlan: 100 }] }],
      vms: [
        {
          name: 'lin-01',
          host: 'esx-a1.test',
          folder: 'Prod',
          guest: 'linux',
          guestId: 'ubuntu64Guest',
          guestFullName: 'Ubuntu Linux (64-bit)',
          firmware: 'bios',
          ipAddress: '10.0.0.5',
          disks: [
            { capacityBytes: 8 * MiB, datastore: 'DS-01', seedBytes: 2 * MiB },
            { capacityBytes: 4 * MiB, datastore: 'DS-01', controller: 1, seedBytes: MiB },
          ],
          nics: [
            { network: 'Prod-Web-100', adapter: 'vmxnet3' },
            { network: 'VLAN 253 - DMZ', adapter: 'e1000e' },
          ],
        },
        {
          name: 'win-01',
          host: 'esx-a2.test',
          guest: 'windows',
          guestId: 'windows2019srv_64Guest',
          guestFullName: 'Microsoft Windows Server 2019 (64-bit)',
          firmware: 'efi',
          powerState: 'poweredOff',
          scsiController: 'lsilogic-sas',
          disks: [{ capacityBytes: 4 * MiB, datastore: 'DS-01' }],
          nics: [{ network: 'VLAN 253 - DMZ', adapter: 'e1000e' }],
        },
      ],
    },
  ],
};

export async function startTestSimulator(
  extra: Partial<VCenterSimulatorOptions> = {},
): Promise<{ sim: VCenterSimulator; dataDir: string; cleanup: () => Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'sim-vcenter-'));
  const sim = await startVCenterSimulator({
    dataDir,
    inventory: smallInventory,
    username: 'admin@test.local',
    password: 'Secret-1',
    guestShutdownDelayMs: 20,
    ...extra,
  });
  return {
    sim,
    dataDir,
    cleanup: async () => {
      await sim.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export interface SoapResult {
  status: number;
  body: XNode;
  /** The first element inside the *Response, or undefined. */
  returnval: XNode | undefined;
  returnvals: readonly XNode[];
  fault: { type: string | undefined; detail: XNode | undefined; message: string } | undefined;
}

/** A bare SOAP caller that pins the simulator's certificate; enough to test the wire format. */
export class TestSoapClient {
  cookie: string | undefined;
  /** The API version sent in SOAPAction (what the answer is encoded for). */
  apiVersion = '8.0.2.0';
  constructor(private readonly sim: VCenterSimulator) {}

  call(method: string, self: { type: string; value: string }, inner = ''): Promise<SoapResult> {
    const xml = `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><${method} xmlns="urn:vim25"><_this type="${self.type}">${self.value}</_this>${inner}</${method}></soapenv:Body></soapenv:Envelope>`;
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: this.sim.host,
          port: this.sim.port,
          path: '/sdk',
          method: 'POST',
          ca: this.sim.certificatePem,
          checkServerIdentity: () => undefined,
          headers: {
            'Content-Type': 'text/xml; charset=utf-8',
            SOAPAction: `urn:vim25/${this.apiVersion}`,
            ...(this.cookie ? { Cookie: this.cookie } : {}),
          },
        },
        (res) => {
          const parts: Buffer[] = [];
          res.on('data', (c: Buffer) => parts.push(c));
          res.on('end', () => {
            const setCookie = res.headers['set-cookie']?.[0];
            if (setCookie) this.cookie = setCookie.split(';')[0];
            const envelope = parseXml(Buffer.concat(parts).toString('utf8'));
            const body = child(envelope, 'Body');
            if (!body) throw new Error('no SOAP body');
            const first = body.children[0];
            const faultNode = child(body, 'Fault');
            const detail = child(faultNode, 'detail')?.children[0];
            resolve({
              status: res.statusCode ?? 0,
              body,
              returnval: faultNode ? undefined : first?.children[0],
              returnvals: faultNode ? [] : (first?.children ?? []),
              fault: faultNode
                ? {
                    type: detail ? xsiType(detail) : undefined,
                    detail,
                    message: child(faultNode, 'faultstring')?.text ?? '',
                  }
                : undefined,
            });
          });
        },
      );
      req.on('error', reject);
      req.end(xml);
    });
  }

  async login(sim: VCenterSimulator): Promise<void> {
    const r = await this.call(
      'Login',
      { type: 'SessionManager', value: 'SessionManager' },
      `<userName>${sim.username}</userName><password>${sim.password}</password>`,
    );
    if (r.fault) throw new Error(`login failed: ${r.fault.message}`);
  }

  /** Calls a *_Task method and waits (bounded polling) until the task is done; returns its info node. */
  async runTask(method: string, self: { type: string; value: string }, inner = ''): Promise<XNode> {
    const r = await this.call(method, self, inner);
    if (r.fault || !r.returnval) throw new Error(`${method} failed: ${r.fault?.message}`);
    const task = { type: 'Task', value: r.returnval.text };
    for (let i = 0; i < 500; i++) {
      const p = await this.call(
        'RetrieveProperties',
        { type: 'PropertyCollector', value: 'propertyCollector' },
        `<specSet><propSet><type>Task</type><pathSet>info</pathSet></propSet><objectSet><obj type="Task">${task.value}</obj></objectSet></specSet>`,
      );
      const info = child(child(p.returnval, 'propSet'), 'val');
      const state = child(info, 'state')?.text;
      if (info && (state === 'success' || state === 'error')) return info;
      await new Promise((r2) => setImmediate(r2));
    }
    throw new Error(`${method} did not finish`);
  }
}
