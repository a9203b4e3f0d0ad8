/**
 * Report output: stdout, or a file written whole or not at all (a temporary file renamed into
 * place), so a SIEM shipper never picks up half a report.
 */
import { writeFileSync, renameSync, unlinkSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';

export function writeOutput(text: string, path: string | undefined): void {
  if (!path || path === '-') {
    process.stdout.write(text);
    return;
  }
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing was written
    }
    throw e;
  }
}
