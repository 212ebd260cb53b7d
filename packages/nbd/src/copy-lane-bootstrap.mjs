// Worker entry: registers tsx in this thread (as bin/migratekit.mjs does for the main one), then loads the
// TypeScript lane. A .ts worker URL with `--import tsx` in execArgv is not transformed on Node 20.
import { register } from 'tsx/esm/api';

register();
await import('./copy-lane.worker.ts');
