import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * Test files that bound a run's wall-clock time or peak memory (hostile inputs under GNU time, the
 * million-SYN table, signals that must end a run within a second, a page that must load in
 * Chromium in time): they run after the others, one file at a time, so that no other test file
 * competes with them for the CPU.
 */
const TIMED = [
  'test/hostile/capture.test.ts',
  'test/hostile/control.test.ts',
  'test/hostile/short-sessions.test.ts',
  'test/hostile/syn-flood.test.ts',
  'test/tcp/limits.test.ts',
  'test/cli/output-safety.test.ts',
  'test/cli/archive.test.ts',
  'test/report/html-browser.test.ts',
];

/** The longest of the other files (measured: 15-55 s on a loaded 2-core machine), started first so
 * that the workers end together. A clean clone has no timings of earlier runs for vitest to sort
 * by (it then starts the largest files first). */
const LONG = [
  'test/scale/jobs.test.ts',
  'test/cli/exit-codes.test.ts',
  'test/evidence/evidence.test.ts',
  'test/scale/recipes.test.ts',
  'test/report/html.test.ts',
  'test/hostile/limits.test.ts',
  'test/scale/shard-merge.test.ts',
  'test/cli/progress.test.ts',
  'test/repo/self-contained.test.ts',
  'test/fuzz/fuzz.test.ts',
];

class LongFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification): number => {
      const i = LONG.findIndex((p) => f.moduleId.endsWith(`/${p}`));
      return i < 0 ? LONG.length : i;
    };
    return (await super.sort(files))
      .map((f, i) => ({ f, i }))
      .sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i)
      .map(({ f }) => f);
  }
}

export default defineConfig({
  // The repository, not this folder: the include lists and the tests' relative paths start there.
  root: fileURLToPath(new URL('..', import.meta.url)),
  test: {
    testTimeout: 30_000,
    // Hooks that run the CLI over every lab capture (once per file, instead of once per test).
    hookTimeout: 120_000,
    pool: 'forks',
    sequence: { sequencer: LongFirst },
    projects: [
      { extends: true, test: { name: 'timed', include: TIMED, fileParallelism: false } },
      {
        extends: true,
        test: {
          name: 'parallel',
          include: ['test/**/*.test.ts'],
          exclude: TIMED,
          // vitest's default is one worker fewer than the cores: one on a 2-core CI machine, whose
          // second core then idles while a test waits for the CLI processes, Chromium or tshark.
          maxWorkers: Math.max(2, availableParallelism() - 1),
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
