/**
 * The command line (docs/design.md §5): thin — options are parsed here, each command's action calls its
 * stage entry and maps the result to an exit code. `createProgram()` returns the program unparsed
 * so tests can drive it. Any failure prints one line on stderr, never a stack trace.
 *
 * Signals: SIGINT, SIGTERM and SIGHUP (the terminal went away) remove any -o file still being
 * written (so a killed run leaves neither a partial report nor a temporary file), clear the
 * progress line, and exit with 128 + the signal number (130, 143, 129), as shells do. SIGKILL
 * cannot be caught: it leaves the hidden `.NAME.<random>.tmp` file, never a partial NAME.
 */
import { Command, CommanderError } from 'commander';
import { registerInfo } from './commands/info.js';
import { registerAnalyze } from './commands/analyze.js';
import { registerConnections } from './commands/connections.js';
import { registerMerge } from './commands/merge.js';
import { removeJobFolders } from '../scale/jobs.js';
import { abortOpenOutputs } from '../report/out.js';
import { abortOpenExtractions } from '../ftp/extract.js';
import { abortOpenEvidence } from '../evidence/index.js';
import { Exit, UsageError, oneLine, stderrLine } from './errors.js';
import { clearCurrentProgress } from './progress.js';
import { VERSION } from './version.js';

export function createProgram(): Command {
  const program = new Command();
  program
    .name('ftp-pcap')
    .description('FTP in packet captures: per session, active or passive data connections, who opened each one to whom, and why transfers failed')
    .version(VERSION)
    .configureOutput({
      // commander's own errors ("error: unknown option '--x'") as one line like every other.
      outputError: (str) => stderrLine(`${str.replace(/^error: /, '').trimEnd()} (see --help)`),
    })
    .exitOverride();
  registerAnalyze(program);
  registerMerge(program);
  registerConnections(program);
  registerInfo(program);
  return program;
}

type HandledSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';
const SIGNAL_EXIT: Record<HandledSignal, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

function onSignal(signal: HandledSignal): void {
  abortOpenOutputs();
  removeJobFolders();
  abortOpenExtractions();
  abortOpenEvidence();
  clearCurrentProgress();
  process.stderr.write(`ftp-pcap: ${signal === 'SIGINT' ? 'interrupted' : signal === 'SIGHUP' ? 'hung up' : 'terminated'} (${signal})\n`);
  process.exit(SIGNAL_EXIT[signal]);
}

/** A fault outside the command's own try (an error event of a stream): same cleanup, one line, exit 2. */
function onFault(e: unknown): void {
  abortOpenOutputs();
  removeJobFolders();
  abortOpenExtractions();
  abortOpenEvidence();
  clearCurrentProgress();
  stderrLine(oneLine(e));
  process.exit(Exit.INPUT);
}

/** stdout's reader went away (`ftp-pcap ... --help | head`): what it wanted is written, nothing
 * more is wanted; any other error on stdout is a fault. Reports write through `Out`, which handles
 * EPIPE itself; this covers what goes through the stream (commander's help and version). */
function onStdoutError(e: NodeJS.ErrnoException): void {
  if (e.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : Exit.OK);
  onFault(e);
}

export async function main(argv: string[]): Promise<number> {
  const program = createProgram();
  process.stdout.on('error', onStdoutError);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  process.on('uncaughtException', onFault);
  process.on('unhandledRejection', onFault);
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : Exit.OK;
  } catch (e) {
    abortOpenOutputs();
    clearCurrentProgress();
    if (e instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return e.exitCode === 0 ? Exit.OK : Exit.INPUT;
    }
    if (e instanceof UsageError) {
      stderrLine(e.message);
      return Exit.INPUT;
    }
    stderrLine(oneLine(e));
    return Exit.INPUT;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    process.off('SIGHUP', onSignal);
    process.off('uncaughtException', onFault);
    process.off('unhandledRejection', onFault);
  }
}
