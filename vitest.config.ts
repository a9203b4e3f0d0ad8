import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

/**
 * Test files that bound a run's wall-clock time or peak memory (hostile inputs under GNU time, the
 * million-SYN table, signals that must end a run within a second, a page that must load in
 * Chromium in time): they run first, one file at a time, so no other test file competes with them
 * for the CPU.
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

export default defineConfig({
  test: {
    testTimeout: 30_000,
    // Hooks that run the CLI over every lab capture (once per file, instead of once per test).
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'timed', include: TIMED, fileParallelism: false, sequence: { groupOrder: 0 } } },
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
