import { findCatalogue, must, type Handler } from '../sim-context';
import type { ApiObject, SimJob } from '../sim-types';

const JAVA_COMMANDS: Record<string, string> = {
  deployVirtualMachine: 'org.apache.cloudstack.api.command.admin.vm.DeployVMCmdByAdmin',
  startVirtualMachine: 'org.apache.cloudstack.api.command.admin.vm.StartVMCmdByAdmin',
  stopVirtualMachine: 'org.apache.cloudstack.api.command.admin.vm.StopVMCmdByAdmin',
  rebootVirtualMachine: 'org.apache.cloudstack.api.command.admin.vm.RebootVMCmdByAdmin',
  destroyVirtualMachine: 'org.apache.cloudstack.api.command.admin.vm.DestroyVMCmdByAdmin',
  createVolume: 'org.apache.cloudstack.api.command.admin.volume.CreateVolumeCmdByAdmin',
  attachVolume: 'org.apache.cloudstack.api.command.admin.volume.AttachVolumeCmdByAdmin',
  detachVolume: 'org.apache.cloudstack.api.command.admin.volume.DetachVolumeCmdByAdmin',
  resizeVolume: 'org.apache.cloudstack.api.command.admin.volume.ResizeVolumeCmdByAdmin',
  createSnapshot: 'org.apache.cloudstack.api.command.user.snapshot.CreateSnapshotCmd',
  revertSnapshot: 'org.apache.cloudstack.api.command.user.snapshot.RevertSnapshotCmd',
  deleteSnapshot: 'org.apache.cloudstack.api.command.user.snapshot.DeleteSnapshotCmd',
  createVMSnapshot: 'org.apache.cloudstack.api.command.user.vmsnapshot.CreateVMSnapshotCmd',
  revertToVMSnapshot: 'org.apache.cloudstack.api.command.user.vmsnapshot.RevertToVMSnapshotCmd',
  deleteVMSnapshot: 'org.apache.cloudstack.api.command.user.vmsnapshot.DeleteVMSnapshotCmd',
};

export function renderJob(job: SimJob, account: { id: string; userid: string }): ApiObject {
  const out: ApiObject = {
    accountid: account.id,
    userid: account.userid,
    cmd: JAVA_COMMANDS[job.command] ?? job.command,
    jobstatus: job.status,
    jobprocstatus: 0,
    jobresultcode: job.resultCode,
    jobinstancetype: job.instanceType,
    jobinstanceid: job.instanceId,
    created: job.created,
    jobid: job.jobid,
  };
  if (job.status !== 0) {
    out.jobresulttype = 'object';
    out.jobresult = job.result ?? {};
    if (job.completed !== undefined) out.completed = job.completed;
  }
  return out;
}

export const queryAsyncJobResult: Handler = (ctx) => {
  const job = must(
    findCatalogue(
      ctx,
      'jobid',
      ctx.state.jobs.map((j) => ({ id: j.jobid, job: j })),
    ),
  );
  return renderJob(job.job as SimJob, ctx.state.account);
};
