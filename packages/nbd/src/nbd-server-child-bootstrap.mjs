// Connection-process entry: registers tsx in this process (as bin/migratekit.mjs does for the main one), then
// loads the TypeScript module. A release bundles nbd-server-child.ts under this same name.
import { register } from 'tsx/esm/api';

register();
await import('./nbd-server-child.ts');
