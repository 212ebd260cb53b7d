// npm run generate -w @migratekit/sdk: regenerates src/generated/ from the server's OpenAPI document.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSdk } from '../src/codegen/generate-sdk';
import { loadOpenApiDocument } from '../src/codegen/load-openapi';

const outDir = join(import.meta.dirname, '..', 'src', 'generated');
const files = await generateSdk(await loadOpenApiDocument());
for (const [name, text] of Object.entries(files) as [string, string][]) {
  writeFileSync(join(outDir, name), text);
  console.log(`wrote ${join('packages/sdk/src/generated', name)} (${text.length} bytes)`);
}
process.exit(0);
