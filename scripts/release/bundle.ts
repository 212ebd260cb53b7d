// Compiles one program of the monorepo to JavaScript with esbuild: the workspace packages (@migratekit/*) are
// bundled into the output, every other package stays an import that the release's node_modules answers (so
// native modules such as better-sqlite3 and packages that load files next to themselves keep working). The
// simulators and the dev stack are left out: the commands that need them explain they are not installed.
import { build, type Metafile, type Plugin } from 'esbuild';

/** Imports that must never reach a release: development tools loaded lazily by the dev commands. */
const DEV_ONLY = [/^@migratekit\/sim-/, /^@migratekit\/server\/dev$/];

export interface BundleEntry {
  /** Source file, relative to the repository root. */
  source: string;
  /** Output file name inside the output directory, e.g. migratekit.mjs. */
  output: string;
}

export interface BundleResult {
  /** Every bundled workspace package directory, with the third-party packages it imports. */
  externalsByPackage: Map<string, Set<string>>;
}

/** The npm package name of a bare import: `@scope/name/sub` -> `@scope/name`, `name/sub` -> `name`. */
export function packageNameOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

const externalsPlugin: Plugin = {
  name: 'migratekit-externals',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return { path: args.path, external: true };
      if (DEV_ONLY.some((pattern) => pattern.test(args.path))) return { path: args.path, external: true };
      if (args.path.startsWith('@migratekit/')) return undefined;
      return { path: args.path, external: true };
    });
  },
};

function collectExternals(metafile: Metafile): Map<string, Set<string>> {
  const byPackage = new Map<string, Set<string>>();
  for (const [input, info] of Object.entries(metafile.inputs)) {
    const owner = /^packages\/[^/]+/.exec(input)?.[0];
    if (owner === undefined) continue;
    const names = byPackage.get(owner) ?? new Set<string>();
    byPackage.set(owner, names);
    for (const imported of info.imports) {
      if (imported.external !== true || imported.path.startsWith('node:')) continue;
      if (DEV_ONLY.some((pattern) => pattern.test(imported.path))) continue;
      names.add(packageNameOf(imported.path));
    }
  }
  return byPackage;
}

/** Bundles the entries into outDir as ES modules for Node 20; returns the third-party packages they import. */
export async function bundlePrograms(root: string, entries: BundleEntry[], outDir: string): Promise<BundleResult> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: entries.map((entry) => ({ in: entry.source, out: entry.output.replace(/\.mjs$/, '') })),
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    splitting: false,
    sourcemap: false,
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    plugins: [externalsPlugin],
    // Bundled CommonJS helpers call require(); an ES module has none unless it is made here.
    banner: {
      js: "import { createRequire as __mkCreateRequire } from 'node:module';\nconst require = __mkCreateRequire(import.meta.url);",
    },
  });
  return { externalsByPackage: collectExternals(result.metafile) };
}
