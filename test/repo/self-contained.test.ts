/**
 * The repository needs nothing beside it: a clone copied to an empty directory builds and its tests
 * find every file they read (the schema definitions the machine formats are checked against live
 * in test/vendor/, the fixtures in fixtures/). Checked two ways: no tracked file names a path
 * outside the repository, and the files a clone holds (`git ls-files`, plus new files not ignored),
 * copied to an empty temporary directory with node_modules linked in, build and pass the tests
 * that read the vendored schemas. Skips, saying why, outside a git checkout.
 */
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const ROOT = resolve('.');
const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: ROOT, encoding: 'utf8' });
const FILES = listed.status === 0 ? listed.stdout.split('\0').filter((f) => f !== '' && existsSync(join(ROOT, f))) : [];
const SELF = 'test/repo/self-contained.test.ts';

/** Paths a file might use to reach outside the repository: a sibling directory, the build machine's tree. */
const OUTSIDE = /(^|[\s'"`(])\.\.\/shared\b|\/work\//;

describe.skipIf(FILES.length === 0)(`a clone with nothing beside it${FILES.length === 0 ? ' (skipped: not a git checkout)' : ''}`, () => {
  it('no tracked source, test, benchmark or CI file reads a path outside the repository', () => {
    const text = FILES.filter((f) => f !== SELF && /\.(ts|mjs|js|json|sh|py|md|yaml)$|^\.ci\/|^bin\//.test(f) && !/^test\/vendor\//.test(f));
    const hits = text.flatMap((f) =>
      readFileSync(join(ROOT, f), 'utf8')
        .split('\n')
        .flatMap((line, i) => (OUTSIDE.test(line) ? [`${f}:${i + 1}: ${line.trim().slice(0, 120)}`] : [])),
    );
    expect(hits).toEqual([]);
  });

  it('copied to an empty directory, it builds and the schema-checked tests pass there', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ftp-pcap-clone-'));
    try {
      for (const f of FILES) {
        mkdirSync(dirname(join(dir, f)), { recursive: true });
        copyFileSync(join(ROOT, f), join(dir, f));
      }
      symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VITEST')));
      const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8', env });
      expect({ code: build.status, out: build.stdout + build.stderr }).toMatchObject({ code: 0, out: '' });
      const run = spawnSync(
        process.execPath,
        ['node_modules/vitest/vitest.mjs', 'run', 'test/report/ndjson.test.ts', 'test/report/ocsf.test.ts', '-t', 'is the version of the ECS definitions|follows the schema version|validator catches'],
        { cwd: dir, encoding: 'utf8', env: { ...env, NO_COLOR: '1' } },
      );
      expect({ code: run.status, out: run.stdout + run.stderr }).toMatchObject({ code: 0, out: expect.stringMatching(/Tests\s+3 passed/) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
