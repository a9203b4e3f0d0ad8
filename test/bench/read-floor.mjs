#!/usr/bin/env node
// Node's read floor: reads each file given with 1 MiB reads into one buffer and does nothing else
// (no decode). test/bench/run.mjs runs it as a row, so a tool's time can be set against the cost of
// getting the bytes into a Node process at all.
import { openSync, readSync, closeSync } from 'node:fs';

const buf = Buffer.allocUnsafe(1 << 20);
let total = 0;
for (const file of process.argv.slice(2)) {
  const fd = openSync(file, 'r');
  for (let n; (n = readSync(fd, buf, 0, buf.length, null)) > 0; ) total += n;
  closeSync(fd);
}
if (total < 0) console.log(total);
