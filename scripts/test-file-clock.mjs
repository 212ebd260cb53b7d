// Preloaded (--import) by run-tests.mjs into node's test runner and so into each test file's process: when a
// test file's process exits, appends `milliseconds<TAB>file` (time since the process started, module loading
// included) to MIGRATEKIT_TEST_TIMINGS. A process the file watchdog kills writes nothing; spec names it.
import { appendFileSync } from 'node:fs';

const out = process.env.MIGRATEKIT_TEST_TIMINGS;
const file = process.argv[1];
if (out && file?.endsWith('.test.ts'))
  process.on('exit', () => appendFileSync(out, `${Math.round(performance.now())}\t${file}\n`));
