import type { VcenterParams } from '@migratekit/agent/protocol';
import type { ResolvedVmwareCredential } from '../services/vmware-credential.service';

/** The vCenter part of an agent request; the password travels only inside the agent's TLS channel. */
export function vcenterParams(credential: ResolvedVmwareCredential): VcenterParams {
  return {
    host: credential.vcenterHost,
    username: credential.username,
    password: credential.password,
    datacenter: credential.datacenter,
  };
}
