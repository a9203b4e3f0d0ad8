/**
 * Golden reports: `ftp-pcap analyze --format json` on every lab capture, validated against the
 * report's JSON Schema (src/report/schema/analysis.schema.json) with Ajv and compared with the
 * reviewed golden file in test/golden/. The goldens are read in review against the manifest's
 * ground truth (test/pipeline/truth.test.ts checks that part mechanically); after a deliberate
 * change of the report, `UPDATE_GOLDEN=1 npx vitest run test/pipeline/golden.test.ts` rewrites
 * them and the diff is what gets reviewed.
 */
import { describe, it, expect } from 'vitest';
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { cli } from '../helpers/cli.js';

const schema = JSON.parse(readFileSync('src/report/schema/analysis.schema.json', 'utf8')) as object;
const ajv = new Ajv({ allErrors: true, strict: false });
const validate = ajv.compile(schema);

const manifest = JSON.parse(readFileSync('fixtures/manifest.json', 'utf8')) as { captures: { file: string; parts?: { file: string }[] }[] };
const update = process.env.UPDATE_GOLDEN === '1';

describe('golden analyze reports', () => {
  for (const c of manifest.captures) {
    it(c.file, () => {
      const files = (c.parts ?? [c]).map((p) => join('fixtures', p.file));
      const r = cli(['analyze', '--format', 'json', ...files]);
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
  }
});
