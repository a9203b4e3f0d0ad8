/**
 * Golden reports: `ftp-pcap analyze --format json` on every lab capture, validated against the
 * report's JSON Schema (src/report/schema/analysis.schema.json) with Ajv and compared with the
 * reviewed golden file in test/golden/. The goldens are read in review against the manifest's
 * ground truth (test/pipeline/truth.test.ts checks that part mechanically); after a deliberate
 * change of the report, `UPDATE_GOLDEN=1 npm test -- test/pipeline/golden.test.ts` rewrites
 * them and the diff is what gets reviewed.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { cliBatch, type CliResult } from '../helpers/cli.js';

const schema = JSON.parse(readFileSync('src/report/schema/analysis.schema.json', 'utf8')) as object;
const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(schema);

const manifest = JSON.parse(readFileSync('fixtures/manifest.json', 'utf8')) as { captures: { file: string; parts?: { file: string }[] }[] };
const update = process.env.UPDATE_GOLDEN === '1';

const filesOf = (c: (typeof manifest.captures)[number]): string[] => (c.parts ?? [c]).map((p) => join('fixtures', p.file));

describe('golden analyze reports', () => {
  // Every capture's run as the user types it, all in one process (cliBatch: the CLI loaded once).
  let runs: CliResult[] = [];
  beforeAll(() => {
    runs = cliBatch(manifest.captures.map((c) => ['analyze', '--format', 'json', ...filesOf(c)]));
  }, 300_000);

  manifest.captures.forEach((c, i) => {
    it(c.file, () => {
      const r = runs[i];
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const report = JSON.parse(r.stdout) as { tool: { version: string } };
      const ok = validate(report);
      expect(ok ? [] : validate.errors).toEqual([]);
      report.tool.version = '<version>';
      const golden = join('test/golden', `${c.file.replace(/\//g, '_')}.json`);
      const text = JSON.stringify(report, null, 2) + '\n';
      if (update || !existsSync(golden)) {
        writeFileSync(golden, text);
        if (!update) throw new Error(`${golden} was missing: written, review it and commit it`);
        return;
      }
      expect(JSON.parse(text)).toEqual(JSON.parse(readFileSync(golden, 'utf8')));
    });
  });
});
