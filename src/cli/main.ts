/**
 * The command line (DESIGN.md §5): thin — options are parsed here, each command's action calls its
 * stage entry and maps the result to an exit code. `createProgram()` returns the program unparsed
 * so tests can drive it. Any failure prints one line on stderr, never a stack trace.
 */
import { Command, CommanderError } from 'commander';
import { registerInfo } from './commands/info.js';
import { registerAnalyze } from './commands/analyze.js';
import { registerConnections } from './commands/connections.js';
import { Exit, UsageError, oneLine } from './errors.js';
import { VERSION } from './version.js';

export function createProgram(): Command {
  const program = new Command();
  program
    .name('ftp-pcap')
    .description('FTP in packet captures: per session, active or passive data connections, who opened each one to whom, and why transfers failed')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerAnalyze(program);
  registerConnections(program);
  registerInfo(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = createProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : Exit.OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return e.exitCode === 0 ? Exit.OK : Exit.INPUT;
    }
    if (e instanceof UsageError) {
      process.stderr.write(`ftp-pcap: ${e.message}\n`);
      return Exit.INPUT;
    }
    process.stderr.write(`ftp-pcap: ${oneLine(e)}\n`);
    return Exit.INPUT;
  }
}
