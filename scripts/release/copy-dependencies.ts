// Copies the production dependencies a bundle imports, and everything they depend on, from the installed
// node_modules of the repository into a release tree. Each package is resolved the way Node would resolve it
// from the package that needs it (so a workspace's own nested version wins), then placed at the top of the
// release's node_modules when that name is free there, or nested under its dependent otherwise. The result is
// checked: every dependency of every copied package resolves, inside the release, to the same version.
import { cpSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';

interface PackageJson {
  name?: string;
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

export interface CopiedPackage {
  name: string;
  version: string;
  /** Directory in the release, relative to its root. */
  path: string;
}

function readPackage(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
}

/** Node's lookup: `<dir>/node_modules/<name>` in `from` and each parent up to `stop`. */
function resolveFrom(from: string, name: string, stop: string): string | undefined {
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dir === stop || dirname(dir) === dir) return undefined;
    dir = dirname(dir);
  }
}

/** What a package needs at run time: dependencies, the optional ones that are installed, required peers. */
function runtimeDependencies(pkg: PackageJson, sourceDir: string, root: string): string[] {
  const optional = Object.keys(pkg.optionalDependencies ?? {}).filter(
    (name) => resolveFrom(sourceDir, name, root) !== undefined,
  );
  const peers = Object.keys(pkg.peerDependencies ?? {}).filter(
    (name) => pkg.peerDependenciesMeta?.[name]?.optional !== true,
  );
  return [...new Set([...Object.keys(pkg.dependencies ?? {}), ...optional, ...peers])];
}

/** Build leftovers of native addons (objects, sources, makefiles): only the compiled .node files are needed. */
function pruneNativeBuild(dir: string): void {
  if (!existsSync(join(dir, 'binding.gyp'))) return;
  for (const leftover of ['deps', 'src', 'build/deps', 'build/Release/obj', 'build/Release/obj.target']) {
    rmSync(join(dir, leftover), { recursive: true, force: true });
  }
  rmSync(join(dir, 'build/Release/.deps'), { recursive: true, force: true });
  rmSync(join(dir, 'build/Release/test_extension.node'), { force: true });
  for (const file of ['build/Makefile', 'build/config.gypi', 'build/Release/sqlite3.a'])
    rmSync(join(dir, file), { force: true });
}

/** Tool configuration published by accident (linter, CI, VCS files): nothing at run time reads it. */
const TOOLING_FILE =
  /^\.(eslintrc|prettierrc|editorconfig|gitattributes|gitignore|npmignore|travis\.yml|nycrc|taprc|github|c8rc)/;

function pruneTooling(dir: string): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (TOOLING_FILE.test(entry.name)) rmSync(path, { recursive: true, force: true });
    else if (entry.isDirectory()) pruneTooling(path);
  }
}

/** Directories at a package's root that only its authors use (tests, benchmarks, examples, git hooks). */
const AUTHOR_DIRS = [
  'test',
  'tests',
  '__tests__',
  'integration',
  'bench',
  'benchmarks',
  'example',
  'examples',
  '.husky',
];

function pruneAuthorDirs(dir: string): void {
  for (const name of AUTHOR_DIRS) rmSync(join(dir, name), { recursive: true, force: true });
}

interface Pending {
  name: string;
  /** Where Node finds the package in the repository. */
  source: string;
  /** The release directory of the package that needs it; undefined for the bundle itself. */
  dependentTarget: string | undefined;
}

/**
 * Copies `roots` (package name -> the repository directory to resolve it from) and their closure into
 * `<target>/node_modules`; returns what was copied.
 */
export function copyDependencies(root: string, roots: Map<string, string>, target: string): CopiedPackage[] {
  const placed = new Map<string, string>(); // release dir -> source dir
  const queue: Pending[] = [];
  for (const [name, from] of roots) {
    const source = resolveFrom(from, name, root);
    if (source === undefined) throw new Error(`release: ${name} (imported from ${from}) is not installed`);
    queue.push({ name, source, dependentTarget: undefined });
  }
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
    const destination = placeFor(item, target, placed);
    if (placed.has(destination)) continue;
    placed.set(destination, item.source);
    cpSync(item.source, destination, { recursive: true, dereference: true });
    rmSync(join(destination, 'node_modules'), { recursive: true, force: true });
    pruneNativeBuild(destination);
    pruneTooling(destination);
    pruneAuthorDirs(destination);
    const pkg = readPackage(item.source);
    for (const dep of runtimeDependencies(pkg, item.source, root)) {
      const source = resolveFrom(item.source, dep, root);
      if (source === undefined) throw new Error(`release: ${dep} (needed by ${item.name}) is not installed`);
      queue.push({ name: dep, source, dependentTarget: destination });
    }
  }
  verifyResolution(root, target, placed);
  return [...placed.keys()].map((dir) => {
    const pkg = readPackage(dir);
    return { name: pkg.name ?? '?', version: pkg.version ?? '?', path: relative(target, dir) };
  });
}

/** Top of node_modules when nothing on the dependent's lookup path has that name, else nested under it. */
function placeFor(item: Pending, target: string, placed: Map<string, string>): string {
  const top = join(target, 'node_modules', item.name);
  if (item.dependentTarget === undefined) {
    const existing = placed.get(top);
    if (existing !== undefined && existing !== item.source)
      throw new Error(`release: two versions of ${item.name} are imported directly (${existing}, ${item.source})`);
    return top;
  }
  const visible = resolveFrom(item.dependentTarget, item.name, target);
  if (visible !== undefined && placed.get(visible) === item.source) return visible;
  if (visible === undefined && !placed.has(top)) return top;
  return join(item.dependentTarget, 'node_modules', item.name);
}

function verifyResolution(root: string, target: string, placed: Map<string, string>): void {
  for (const [dir, source] of placed) {
    for (const dep of runtimeDependencies(readPackage(source), source, root)) {
      const inRelease = resolveFrom(dir, dep, target);
      const inRepository = resolveFrom(source, dep, root);
      if (inRelease === undefined || placed.get(inRelease) !== inRepository)
        throw new Error(`release: ${relative(target, dir).split(sep).join('/')} would not find its ${dep}`);
    }
  }
}
