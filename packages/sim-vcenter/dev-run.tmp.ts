import { startVCenterSimulator } from '@migratekit/sim-vcenter';
const sim = await startVCenterSimulator({
  dataDir: process.argv[2] ?? '/tmp/simvc-dev/data',
  port: Number(process.argv[3] ?? 18990),
  guestShutdownDelayMs: 500,
});
console.log(JSON.stringify({ url: sim.url, user: sim.username, password: sim.password, sha1: sim.thumbprints.sha1 }));
process.on('SIGTERM', () => {
  void sim.close().then(() => process.exit(0));
});
