export { NbdTarget, agentOnlyAuthorizer, type NbdTargetOptions, type VolumeExportInfo } from './nbd-target';
export {
  loadOrCreateServerCertificate,
  NBD_CERT_FILE,
  NBD_KEY_FILE,
  type ServerCertificate,
  type RunFile,
} from './server-certificate';
