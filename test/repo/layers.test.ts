/**
 * Nothing under src/ imports from a layer above its own. The layers, bottom up:
 *   base (limits.ts, memory.ts, errno.ts) → capture → decode → tcp → ftp → report → evidence → pipeline.ts → scale → compare → cli
 * pipeline.ts is the pass of stages capture..report over the inputs; scale/ splits that pass into
 * shards and merges them, so it sits above the pipeline; compare/ runs the pipeline once per capture
 * point and compares the reports; the CLI sits on top of everything. A
 * module may import from its own layer and any layer below. Read from the import lines themselves
 * (static `import`/`export ... from`, side-effect imports, dynamic `import()`), type imports
 * included: a type from above ties a layer to it as much as a value does.
 */
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const LAYERS = ['base', 'capture', 'decode', 'tcp', 'ftp', 'report', 'evidence', 'pipeline', 'scale', 'compare', 'cli'] as const;
type Layer = (typeof LAYERS)[number];

/** The layer of a path relative to src/ (`tcp/tracker.ts`, `pipeline.ts`), or null for one outside every layer. */
function layerOf(path: string): Layer | null {
  const top = path.split('/')[0];
  if (path === 'limits.ts' || path === 'memory.ts' || path === 'errno.ts') return 'base';
  if (path === 'pipeline.ts') return 'pipeline';
  return (LAYERS as readonly string[]).includes(top) && top !== 'base' && top !== 'pipeline' ? (top as Layer) : null;
}

/** Every module specifier a TypeScript source imports or re-exports. */
function importsOf(source: string): string[] {
  const out: string[] = [];
  const re = /^\s*(?:import|export)\b[^'";]*?(?:\bfrom\s*)?['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/gm;
  for (const m of source.matchAll(re)) out.push(m[1] ?? m[2]);
  return out;
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => (statSync(join(dir, f)).isDirectory() ? walk(join(dir, f)) : f.endsWith('.ts') ? [join(dir, f)] : []));
}

const SRC = resolve('src');
const rank = (l: Layer): number => LAYERS.indexOf(l);

describe('layers: imports point down', () => {
  it('the import reader finds every form of import', () => {
    const src = [
      "import { a } from './a.js';",
      "import type { B } from '../b/b.js';",
      'import {\n  c,\n  d,\n} from "../c.js";',
      "export { e } from './e.js';",
      "export * from './f.js';",
      "import './g.js';",
      "const h = await import('../h.js');",
      "// a comment saying from './nothing.js' is not an import",
    ].join('\n');
    expect(importsOf(src)).toEqual(['./a.js', '../b/b.js', '../c.js', './e.js', './f.js', './g.js', '../h.js']);
  });

  it('every file of src/ belongs to a layer', () => {
    expect(walk(SRC).map((f) => relative(SRC, f)).filter((f) => layerOf(f) === null)).toEqual([]);
  });

  it('no module imports from a layer above its own', () => {
    const upward: string[] = [];
    for (const file of walk(SRC)) {
      const from = relative(SRC, file);
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        if (!spec.startsWith('.')) continue;
        const to = relative(SRC, resolve(dirname(file), spec)).replace(/\.js$/, '.ts');
        const a = layerOf(from);
        const b = layerOf(to);
        if (a && b && rank(b) > rank(a)) upward.push(`${from} (${a}) imports ${to} (${b})`);
      }
    }
    expect(upward).toEqual([]);
  });
});
