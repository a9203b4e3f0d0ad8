// Several command lines of the built CLI (dist/cli/main.js, what bin/ftp-pcap runs) in one Node
// process, one after the other: each run's stdout and stderr are the real file descriptors 1 and 2,
// as under bin/ftp-pcap, cut apart by a separator: NUL, the random text the parent chose (argv[2]), NUL; after each
// run the separator is followed by `<exit code>` and the separator again on both descriptors. The
// runs are argv[3], a JSON array of argument lists. Loading the CLI costs most of a small run's CPU
// (about 0.2 s of 0.35 s), so a test of tens of captures pays it once (test/helpers/cli.ts: cliBatch).
import { writeSync } from 'node:fs';

const sep = `\u0000${process.argv[2]}\u0000`;
const runs = JSON.parse(process.argv[3]);
const { main } = await import('../../dist/cli/main.js');
const stdoutErrorListeners = process.stdout.listeners('error');

for (const args of runs) {
  process.exitCode = undefined;
  const code = await main([process.execPath, 'bin/ftp-pcap', ...args]);
  // main() listens for errors on stdout once per call (a process normally calls it once).
  for (const l of process.stdout.listeners('error')) if (!stdoutErrorListeners.includes(l)) process.stdout.off('error', l);
  const mark = `${sep}${code}${sep}`;
  writeSync(1, mark);
  writeSync(2, mark);
}
process.exitCode = 0;
