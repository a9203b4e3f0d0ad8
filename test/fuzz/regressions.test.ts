/**
 * Every input in test/fuzz/regressions/ (README there: what each broke and where it was fixed),
 * through the built CLI: exit 0 or 2, at most one line on stderr, never a stack trace or an
 * internal fault, a report on stdout.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { cli } from '../helpers/cli.js';

const DIR = 'test/fuzz/regressions';
const FILES = readdirSync(DIR).filter((f) => !f.endsWith('.md'));

describe('fuzz regressions', () => {
  it.each(FILES)('%s: analyze (json, ndjson, text), info, connections', (f) => {
    const p = join(DIR, f);
    for (const args of [['analyze', '--format', 'json'], ['analyze', '--format', 'ndjson'], ['analyze'], ['info'], ['connections']]) {
      const r = cli([...args, p]);
      expect([0, 2], `${args.join(' ')}: ${r.stderr}`).toContain(r.code);
      expect(r.stderr).not.toMatch(/\n\s+at |Invalid time value|TypeError|RangeError/);
      expect(r.stderr.trim().split('\n').filter(Boolean).length).toBeLessThanOrEqual(1);
      expect(r.stdout.length).toBeGreaterThan(0);
    }
  });
});
