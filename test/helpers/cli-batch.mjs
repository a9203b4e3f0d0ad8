// Several command lines of the built CLI (dist/bundle/main.js, what bin/ftp-pcap runs) in one Node
// process, one after the other: each run's stdout and stderr are the real file descriptors 1 and 2,
// as under bin/ftp-pcap, cut apart by a separator: NUL, the random text the parent chose
// (argv[2]), NUL; after each run the separator is followed by `<exit code>` and the separator
// again on both descriptors. The runs are argv[3], a JSON array of argument lists, or with argv[3]
// `-`, one JSON argument list per line of stdin (a server: test/helpers/cli.ts, CliServer).
// Loading the CLI costs most of a small run's CPU (about 0.2 s of 0.35 s), so a test of tens of
// runs pays it once. Runs that read stdin (`-`) need a process of their own.
import { writeSync } from 'node:fs';
import { createInterface } from 'node:readline';

const sep = `\u0000${process.argv[2]}\u0000`;
const { main } = await import('../../dist/bundle/main.js');
const stdoutErrorListeners = process.stdout.listeners('error');

async function run(args) {
  process.exitCode = undefined;
  const code = await main([process.execPath, 'bin/ftp-pcap', ...args]);
  // main() listens for errors on stdout once per call (a process normally calls it once).
  for (const l of process.stdout.listeners('error')) if (!stdoutErrorListeners.includes(l)) process.stdout.off('error', l);
  const mark = `${sep}${code}${sep}`;
  writeSync(1, mark);
  writeSync(2, mark);
}

if (process.argv[3] === '-') {
  for await (const line of createInterface({ input: process.stdin })) if (line !== '') await run(JSON.parse(line));
} else {
  for (const args of JSON.parse(process.argv[3])) await run(args);
}
process.exitCode = 0;
