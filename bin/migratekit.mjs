#!/usr/bin/env node
// Entry point for every migratekit command. The packages ship TypeScript sources; tsx loads them directly
// so that development and production run the same files without a separate compile step.
import { register } from 'tsx/esm/api';

register();
await import('../packages/cli/src/main.ts');
