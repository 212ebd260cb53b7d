// `npm run bench [-- NAME...]`: runs bench/<name>.bench.ts suites whose name matches, prints one
// `RESULT <name> ratio=<ours/peer> ...` line per figure, and appends the results with a description of
// the machine to docs/benchmarks.md.
import { appendFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchSuite, Figure } from './bench-types';
import { machine } from './machine';

const here = fileURLToPath(new URL('.', import.meta.url));
const docs = join(here, '..', 'docs', 'benchmarks.md');

export function resultLine(f: Figure): string {
  const extra = Object.entries(f.figures)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toFixed(3)) : v}`)
    .join(' ');
  return `RESULT ${f.name} ratio=${f.ratio.toFixed(3)} ${extra}`.trim();
}

async function main(): Promise<void> {
  const filters = process.argv.slice(2);
  const suites = readdirSync(here)
    .filter((f) => f.endsWith('.bench.ts'))
    .map((f) => basename(f, '.bench.ts'))
    .filter((name) => filters.length === 0 || filters.some((s) => name.includes(s)))
    .sort();
  if (suites.length === 0) {
    console.error('no benchmark suite matched');
    process.exit(1);
  }
  const results: Array<{ suite: string; figures: Figure[]; notes: string[] }> = [];
  for (const name of suites) {
    const mod = (await import(pathToFileURL(join(here, `${name}.bench.ts`)).href)) as { suite: BenchSuite };
    console.log(`suite ${name}: ${mod.suite.description}`);
    const outcome = await mod.suite.run();
    results.push({ suite: name, figures: outcome.figures, notes: outcome.notes });
  }
  const date = new Date().toISOString();
  const lines = ['', `## ${date} — ${suites.join(', ')}`, '', ...machine(), ''];
  for (const r of results) {
    lines.push(`### ${r.suite}`, '', '| figure | ratio | details | target | met |', '| --- | --- | --- | --- | --- |');
    for (const f of r.figures) {
      const details = Object.entries(f.figures)
        .map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toFixed(3)) : v}`)
        .join(', ');
      lines.push(`| ${f.name} | ${f.ratio.toFixed(3)} | ${details} | ${f.target} | ${f.met ? 'yes' : 'no'} |`);
    }
    if (r.notes.length) lines.push('', ...r.notes.map((n) => `- ${n}`));
    lines.push('', '```', ...r.figures.map(resultLine), '```');
  }
  // BENCH_DRY=1: print only (for trying settings without recording them).
  if (process.env.BENCH_DRY === '1') {
    for (const r of results) for (const f of r.figures) console.log(resultLine(f));
    return;
  }
  if (!existsSync(docs)) writeFileSync(docs, '# Benchmarks\n\nAppended by `npm run bench`; newest last.\n');
  appendFileSync(docs, `${lines.join('\n')}\n`);
  for (const r of results) for (const f of r.figures) console.log(resultLine(f));
}

await main();
