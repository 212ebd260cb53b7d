// `@migratekit/server/dev`: the dev stack (`migratekit dev`, what `npm start` runs) with the simulators. Kept out
// of the package's main export so a production install never loads a simulator.
export {
  startDevStack,
  CLI_TOKEN_FILE,
  DEV_ADMIN_PASSWORD_FILE,
  type DevStack,
  type DevStackOptions,
} from './dev-stack';
export { DEV_CREDENTIAL_NAME, DEV_CLOUDSTACK_NAME, type DevEstate, type DevPorts } from './dev-estate';
export { devGuestImagePath, DEV_GUEST_VM_NAME, type DevGuestVm } from './dev-guest-vm';
