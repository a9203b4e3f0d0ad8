import { termSafe } from '../report/escape.js';
import { STDERR_LINE_MAX_CHARS } from '../limits.js';

/** Exit codes (docs/design.md §5): 0 clean, 1 findings at or above --fail-on, 2 usage or unreadable input. */
export const Exit = { OK: 0, FINDINGS: 1, INPUT: 2 } as const;

/** A failure the user can act on: printed as one line, never with a stack. */
export class UsageError extends Error {}

export function oneLine(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as NodeJS.ErrnoException).code;
    const path = (e as NodeJS.ErrnoException).path;
    if (code && path) return `${path}: ${code === 'ENOENT' ? 'no such file or directory' : code === 'EACCES' ? 'permission denied' : code}`;
    return e.message.split('\n')[0];
  }
  return String(e).split('\n')[0];
}

/** One line on stderr, `ftp-pcap: ` first. Paths and messages come from the command line or a
 * capture: escaped as the reports escape for a terminal (no escape sequence reaches it), bounded. */
export function stderrLine(message: string): void {
  process.stderr.write(`ftp-pcap: ${termSafe(message, STDERR_LINE_MAX_CHARS)}\n`);
}
