/**
 * What every command shares: the exit-code table of `--help`, the output file (`-o`), the progress
 * display, and the one-line reports of damaged inputs.
 */
import { statSync } from 'node:fs';
import { expandInputs, formatCaptureError, formatCaptureWarning, type CaptureError, type ExpandedInputs, type OffsetStream } from '../capture/index.js';
import { UsageError, stderrLine } from './errors.js';
import { Out, refuseInputAsOutput } from '../report/out.js';
import { Progress, setCurrentProgress, wantProgress, type ProgressInput } from './progress.js';

/** `--help` text after the options: the exit codes (docs/design.md §5). */
export function exitCodesHelp(withFindings: boolean): string {
  return [
    '',
    'Exit codes:',
    '  0    success' + (withFindings ? ' (no finding at or above --fail-on)' : ''),
    ...(withFindings ? ['  1    a finding at or above --fail-on was reported (after the filters)'] : []),
    '  2    usage error, or an input that cannot be read or is damaged',
    '       (what came before the damage is still reported)',
    '  130  interrupted (SIGINT), 143 terminated (SIGTERM), 129 hung up (SIGHUP):',
    '       no -o file, partial or temporary, is left behind',
    '',
    "Output: -o FILE goes to a temporary file in the same directory, renamed into place when",
    "complete (the old file's mode kept); a link is written through to its target, a device",
    "or FIFO written in place; an input named as -o is refused; '-o -' is stdout.",
    'Progress: on stderr when it is a terminal and the input is 64 MB or more (or stdin),',
    'unless --quiet.',
  ].join('\n');
}

/** The `<capture...>` argument's help, the same for every command. */
export const CAPTURE_ARGS_HELP =
  "capture files (pcap, pcapng, gzip), directories (every capture below, by content), quoted globs ('/archive/*.pcap*', **), '-' for stdin; merged in time order as one capture";

/**
 * The capture arguments of any command as the files to read (src/capture/expand.ts: directories,
 * globs, duplicates). An argument that gives nothing to read (an empty directory, a glob matching
 * no capture) is a usage error before anything is read: a nightly job on yesterday's empty folder
 * should fail loudly, not report zero sessions.
 */
export async function resolveInputs(args: readonly string[]): Promise<ExpandedInputs> {
  const x = await expandInputs(args);
  if (x.empty.length > 0) throw new UsageError(x.empty[0]);
  return x;
}

/** The first input that can be read only once: stdin, or a FIFO, /dev/stdin, a process
 * substitution, a device (the reader reads those as streams); null if none. A path that cannot be
 * stat'ed is not one. */
export function streamInput(paths: readonly string[]): string | null {
  for (const p of paths) {
    if (p === '-') return p;
    try {
      if (!statSync(p).isFile()) return p;
    } catch {
      // missing: the reader reports it
    }
  }
  return null;
}

/** Bytes of the input files (stdin and unreadable paths count 0: the reader reports those). */
export function inputBytes(paths: readonly string[]): number {
  let n = 0;
  for (const p of paths) {
    if (p === '-') continue;
    try {
      n += statSync(p).size;
    } catch {
      // reported by the reader, with its byte offset
    }
  }
  return n;
}

/** A progress display on stderr if this run should have one, else null. */
export function startProgress(paths: readonly string[], quiet: boolean | undefined): Progress | null {
  if (!wantProgress(process.stderr, quiet === true, paths, inputBytes(paths))) return null;
  const p = new Progress(process.stderr);
  setCurrentProgress(p);
  return p;
}

export function endProgress(p: Progress | null, readers: readonly ProgressInput[] | null): void {
  if (!p) return;
  if (readers) p.finish(readers);
  else p.clear();
  setCurrentProgress(null);
}

/**
 * Runs `write` with the report's Out: the file is moved into place only if `write` returns; an
 * exception removes it (and the progress line) before it propagates. An output that is one of
 * `inputs` is refused before anything is read or written.
 */
export async function withOutput<T>(path: string | undefined, progress: Progress | null, write: (out: Out) => Promise<T>, inputs: readonly string[] = []): Promise<T> {
  let out: Out;
  try {
    refuseInputAsOutput(path, inputs);
    out = new Out(path);
  } catch (e) {
    endProgress(progress, null);
    throw e;
  }
  let result: T;
  try {
    result = await write(out);
  } catch (e) {
    out.abort();
    endProgress(progress, null);
    throw e;
  }
  out.close();
  return result;
}

/** One line on stderr per damaged input; true when at least one input was damaged. */
export function reportInputErrors(errors: readonly CaptureError[]): boolean {
  for (const e of errors) stderrLine(formatCaptureError(e));
  return errors.length > 0;
}

/** One line on stderr per thing skipped in an input still read (gzip trailing garbage); not an error. */
export function reportInputWarnings(inputs: readonly { path: string; warnings?: readonly { offset: number; stream?: OffsetStream; message: string }[] }[]): void {
  for (const i of inputs) for (const w of i.warnings ?? []) stderrLine(formatCaptureWarning({ ...w, kind: 'trailing-garbage', file: i.path }));
}
