// Lane process entry: registers tsx (as bin/migratekit.mjs does for the main process), then loads the
// TypeScript lane. The child starts without the parent's flags (--test, --import), so it does it here.
import { register } from 'tsx/esm/api';

register();
await import('./copy-lane.child.ts');
