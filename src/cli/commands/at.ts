/**
 * `analyze --at NAME=FILE --at NAME=FILE ...`: captures of the same traffic from several points of
 * the path, each analysed alone and then compared (src/compare/). The report's sessions are those
 * of the first point given; its `comparison` section says what every point saw.
 */
import { analyzePoints, reportPoints, type CapturePoint } from '../../compare/run.js';
import { COMPARE_MAX_POINTS } from '../../limits.js';
import { termSafe } from '../../report/escape.js';
import { UsageError } from '../errors.js';
import { writeReport, type ReportCliOptions } from '../report.js';
import { resolveInputs, streamInput } from '../run.js';
import { VERSION } from '../version.js';

/** A point's name: what the report calls the tap (`client`, `fw-outside`). */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;

/** commander's collector for a repeated `--at`. */
export function collectAt(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** The `--at` values as named points, each FILE expanded like the command's captures. */
export async function parsePoints(values: readonly string[]): Promise<CapturePoint[]> {
  if (values.length < 2) throw new UsageError('--at: give two or more capture points (--at client=a.pcap --at server=b.pcap)');
  if (values.length > COMPARE_MAX_POINTS) throw new UsageError(`--at: at most ${COMPARE_MAX_POINTS} capture points`);
  const points: CapturePoint[] = [];
  for (const v of values) {
    const eq = v.indexOf('=');
    const name = eq > 0 ? v.slice(0, eq) : '';
    const file = eq > 0 ? v.slice(eq + 1) : '';
    if (!NAME.test(name) || file === '') throw new UsageError(`--at: "${termSafe(v, 120)}" is not NAME=FILE (NAME: letters, digits, . _ -, up to 32)`);
    if (points.some((p) => p.name === name)) throw new UsageError(`--at: the point name "${name}" is given twice`);
    const { paths } = await resolveInputs([file]);
    const once = streamInput(paths);
    if (once !== null) throw new UsageError(`--at: ${termSafe(once)} is read twice (analysis, then handshakes): give a capture file`);
    points.push({ name, paths });
  }
  return points;
}

interface AtOptions extends ReportCliOptions {
  ports: number[];
  showPasswords: boolean;
}

export async function atAction(points: readonly CapturePoint[], opts: AtOptions): Promise<void> {
  await writeReport(
    opts,
    null,
    async (sink, report) => {
      const r = await analyzePoints(points, { ports: opts.ports, showPasswords: opts.showPasswords, version: VERSION, ...report });
      const tail = reportPoints(r, points, sink);
      return { tail, readers: [] };
    },
    false,
    points.flatMap((p) => p.paths),
  );
}
