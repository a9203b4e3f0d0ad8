#!/usr/bin/env node
// Benchmark: ftp-pcap against tshark, capinfos and nDPI's ndpiReader on the same captures.
//
//   npm run bench                      # the lab's two benchmark captures (fixtures/lab/run.sh bench)
//   npm run bench -- --runs 5 --cmd info FILE...
//   npm run bench -- --cmd analyze --jobs 1,2     # analyze once per --jobs value
//   npm run bench -- --cmd analyze DIR          # a directory of rotated files (ftp-pcap only)
//   npm run bench -- --cmd hash        # analyze --hash and --extract next to tshark --export-objects
//   npm run bench -- --cmd analyze --base ../base   # another checkout's bin/ftp-pcap side by side (before/after in one run)
//   npm run bench -- --cmd analyze --profile        # also CPU profiles and GC counts of the ftp-pcap runs
//   npm run bench -- --skip tshark,ndpiReader       # leave out the tools whose name starts so
//
// Rows besides the tools: `node read floor` (test/bench/read-floor.mjs: the file read with 1 MiB reads,
// nothing else), the least any Node program spends on the file.
// --profile (into test/bench/out/profile-<time>/, or --profile-dir DIR): after the timed rounds, each ftp-pcap row runs
// once more with the executable's runtime flags plus `--cpu-prof --trace-gc --trace-opt`; DIR/<row>/ holds its
// .cpuprofile (open in Chrome DevTools or `node test/bench/profile-top.mjs FILE`), gc.txt (the GC
// trace) and opt.txt (TurboFan's compile jobs); the collections and the compile time of each are printed.
// Profiled runs are not timed.
//
// Each tool runs as its own process under GNU time (wall time and peak RSS), rounds interleaved
// (tool A, B, C, then again) so machine noise hits all alike; the median of the runs is printed.
// Not part of `npm test`: it needs the large captures and minutes.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync, mkdirSync, readdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join, basename } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = process.argv.slice(2);
let runs = 3;
let cmds = ['info'];
/** --jobs values for analyze; empty: its default. */
let jobs = [];
/** --base DIR: a second checkout whose bin/ftp-pcap runs beside this one's. */
let base = null;
/** --profile (--profile-dir DIR): where the profiles go. */
let profileDir = null;
/** --skip a,b: tool names starting with one of these are left out. */
let skip = [];
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--runs') runs = Number(args[++i]);
  else if (args[i] === '--cmd') cmds = args[++i].split(',');
  else if (args[i] === '--jobs') jobs = args[++i].split(',');
  else if (args[i] === '--base') base = args[++i];
  else if (args[i] === '--skip') skip = args[++i].split(',');
  else if (args[i] === '--profile') profileDir ??= join(root, 'test/bench/out', `profile-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  else if (args[i] === '--profile-dir') profileDir = args[++i];
  else files.push(args[i]);
}
if (base !== null && !existsSync(join(base, 'bin/ftp-pcap'))) {
  console.error(`bench: --base ${base}: no bin/ftp-pcap there (a checkout built with npm ci && npm run build)`);
  process.exit(2);
}
/** The checkouts whose ftp-pcap runs: [label prefix, root]. */
const builds = [...(base !== null ? [['ftp-pcap base', base]] : []), ['ftp-pcap', root]];
const BENCH_DIR = process.env.FTP_PCAP_BENCH_DIR ?? '/var/tmp/ftp-pcap-bench';
if (files.length === 0) files.push(join(BENCH_DIR, 'bulk.pcap'), join(BENCH_DIR, 'many.pcap'));
for (const f of files) {
  if (!existsSync(f)) {
    console.error(`bench: ${f} not found; make the benchmark captures with: sudo bash fixtures/lab/run.sh bench`);
    process.exit(2);
  }
}
/** Bytes of a file, or of every file below a directory. */
const sizeOf = (p) => (statSync(p).isDirectory() ? readdirSync(p).reduce((a, e) => a + sizeOf(join(p, e)), 0) : statSync(p).size);
/** Scratch folders of the `hash` mode's extractions (removed at the end). */
const OUT_DIR = join(BENCH_DIR, `out-${process.pid}`);
const has = (bin) => spawnSync('sh', ['-c', `command -v ${bin}`]).status === 0;

function tools(file) {
  const t = [];
  for (const [label, dir] of builds) {
    const bin = join(dir, 'bin/ftp-pcap');
    for (const c of cmds) {
      // Several files given as one "+"-joined argument are merged (used to show flat memory on 2x input).
      const inputs = file.split('+');
      if (c === 'hash') {
        // Transferred files: hashes only, then hashes and every file written out. The extract
        // folder sits beside the captures (same disk as tshark's) and is emptied before each run.
        t.push({ name: `${label} analyze --hash`, ftp: true, argv: [bin, 'analyze', '--hash', '--format', 'json', '-o', '/dev/null', ...inputs] });
        const out = join(OUT_DIR, `${label.replace(/ /g, '-')}-extract`);
        t.push({ name: `${label} analyze --extract`, ftp: true, argv: [bin, 'analyze', '--extract', out, '--format', 'json', '-o', '/dev/null', ...inputs], prep: () => rmSync(out, { recursive: true, force: true }) });
        continue;
      }
      const extra = c === 'connections' ? ['--format', 'ndjson'] : ['--format', 'json'];
      // analyze writes its report to /dev/null (-o), not to a pipe the benchmark would have to drain.
      const sinkArgs = c === 'analyze' ? ['-o', '/dev/null'] : [];
      // The executable itself, as a user runs it (its shebang carries the runtime flags).
      if (c === 'analyze' && jobs.length) for (const j of jobs) t.push({ name: `${label} analyze --jobs ${j}`, ftp: true, argv: [bin, c, '--jobs', j, ...extra, ...sinkArgs, ...inputs] });
      else t.push({ name: `${label} ${c}`, ftp: true, argv: [bin, c, ...extra, ...sinkArgs, ...inputs] });
    }
  }
  t.push({ name: 'node read floor (1 MiB reads)', argv: [process.execPath, join(root, 'test/bench/read-floor.mjs'), ...file.split('+')] });
  const one = file.split('+')[0];
  // The other tools read one file: no merged or directory inputs for them.
  if (file.includes('+') || statSync(one).isDirectory()) return t;
  // The closest job tshark does for each command: TCP conversations for info/connections; for
  // analyze, a two-pass FTP dissection that links data connections to their setup frame.
  if (has('tshark') && (cmds.includes('info') || cmds.includes('connections'))) t.push({ name: 'tshark -z conv,tcp', argv: ['tshark', '-r', one, '-q', '-z', 'conv,tcp'] });
  if (has('tshark') && cmds.includes('analyze')) {
    t.push({ name: 'tshark -2 ftp fields', argv: ['tshark', '-r', one, '-2', '-Y', 'ftp || ftp-data', '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.stream', '-e', 'ftp.request.command', '-e', 'ftp.response.code', '-e', 'ftp-data.setup-frame'] });
  }
  if (has('tshark') && cmds.includes('hash')) {
    // tshark's closest job: every ftp-data object written to a folder (no hash: sha256sum after it
    // would be extra time, left out in tshark's favour).
    const dir = join(OUT_DIR, 'tshark-export');
    t.push({ name: 'tshark --export-objects ftp-data', argv: ['tshark', '-r', one, '-q', '--export-objects', `ftp-data,${dir}`], prep: () => { rmSync(dir, { recursive: true, force: true }); mkdirSync(dir, { recursive: true }); } });
  }
  if (has('capinfos') && cmds.includes('info')) t.push({ name: 'capinfos', argv: ['capinfos', one] });
  if (has('ndpiReader')) t.push({ name: 'ndpiReader', argv: ['ndpiReader', '-q', '-i', one] });
  return t.filter((x) => !skip.some((p) => x.name.startsWith(p)));
}

/** The node flags of an executable's shebang (`#!/usr/bin/env -S node --flag`). */
function shebangFlags(bin) {
  const first = readFileSync(bin, 'utf8').split('\n')[0];
  const at = first.indexOf('node');
  return at < 0 ? [] : first.slice(at + 4).trim().split(/\s+/).filter(Boolean);
}

/** One profiled run of an ftp-pcap row: DIR/<row>/*.cpuprofile and gc.txt; the GC counts. */
function profile(tool, dir) {
  mkdirSync(dir, { recursive: true });
  const [bin, ...rest] = tool.argv;
  // The checkout's unbundled modules (dist/cli/main.js), not the bundle bin/ftp-pcap runs: the
  // bundle is one file with its whitespace removed, so a profile of it would name every function
  // at line 1 of one file. The code that runs is the same.
  const main = pathToFileURL(join(dirname(bin), '..', 'dist', 'cli', 'main.js')).href;
  const script = `const m = await import(${JSON.stringify(main)}); process.exitCode = await m.main([process.argv[0], 'ftp-pcap', ...process.argv.slice(1)]);`;
  const r = spawnSync(process.execPath, [...shebangFlags(bin), '--cpu-prof', '--cpu-prof-dir', dir, '--trace-gc', '--trace-opt', '--input-type=module', '-e', script, '--', ...rest], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = r.stdout.split('\n');
  writeFileSync(join(dir, 'gc.txt'), lines.filter((l) => / ms: (Scavenge|Mark-Compact|Minor)/.test(l)).join('\n') + '\n');
  writeFileSync(join(dir, 'opt.txt'), lines.filter((l) => l.startsWith('[completed compiling')).join('\n') + '\n');
  const gcMs = (re) => lines.filter((l) => re.test(l)).reduce((a, l) => a + Number(/MB, ([\d.]+) \//.exec(l)?.[1] ?? 0), 0);
  // TurboFan's compile jobs (--trace-opt: "took A, B, C ms", the elapsed time of the three phases):
  // the middle one runs on a background thread, so it counts in CPU seconds and, on a busy
  // machine, in wall time.
  const compiles = lines.map((l) => /^\[completed compiling .* took ([\d.]+), ([\d.]+), ([\d.]+) ms/.exec(l)).filter((m) => m !== null);
  return {
    scavenges: lines.filter((l) => / ms: Scavenge/.test(l)).length,
    scavengeMs: gcMs(/ ms: Scavenge/),
    markCompacts: lines.filter((l) => / ms: Mark-Compact/.test(l)).length,
    markCompactMs: gcMs(/ ms: Mark-Compact/),
    compiles: compiles.length,
    compileMs: compiles.reduce((a, m) => a + Number(m[1]) + Number(m[2]) + Number(m[3]), 0),
    dir,
  };
}

function measure(argv) {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', ...argv], { encoding: 'utf8', maxBuffer: 1 << 30, stdio: ['ignore', 'ignore', 'pipe'] });
  const last = r.stderr.trim().split('\n').pop() ?? '';
  const [wall, kb, user, sys] = last.split(' ').map(Number);
  if (r.status !== 0 && r.status !== 1) console.error(`bench: ${argv.join(' ')} exited ${r.status}: ${r.stderr.slice(0, 300)}`);
  return { wall, rssMB: kb / 1024, cpu: user + sys };
}

function packetsOf(file) {
  const r = spawnSync(join(root, 'bin/ftp-pcap'), ['info', '--format', 'json', ...file.split('+')], { encoding: 'utf8', maxBuffer: 1 << 28 });
  return JSON.parse(r.stdout).totals.packets;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = [];
const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
console.log(`runs per tool: ${runs} (median), node ${process.version}, ${new Date().toISOString()}, load average ${load()}`);
const profiles = [];
for (const file of files) {
  const bytes = file.split('+').reduce((a, f) => a + sizeOf(f), 0);
  const packets = packetsOf(file);
  const ts = tools(file);
  const samples = ts.map(() => []);
  for (let r = 0; r < runs; r++) {
    ts.forEach((t, i) => {
      t.prep?.();
      samples[i].push(measure(t.argv));
    });
  }
  for (let i = 0; i < ts.length; i++) {
    const wall = median(samples[i].map((s) => s.wall));
    const rss = Math.max(...samples[i].map((s) => s.rssMB));
    // CPU seconds (user + system, all threads): steadier than wall time on a loaded machine.
    const cpu = median(samples[i].map((s) => s.cpu));
    if (profileDir !== null && ts[i].ftp) profiles.push({ file: basename(file), tool: ts[i].name, ...profile(ts[i], join(profileDir, `${basename(file).replace(/\W+/g, '_')}-${ts[i].name.replace(/\W+/g, '_')}`)) });
    results.push({ file: file.split('+').map((f) => basename(f.replace(/\/+$/, '')) + (statSync(f).isDirectory() ? '/' : '')).join('+'), bytes, packets, tool: ts[i].name, wallSeconds: wall, cpuSeconds: cpu, mbPerSecond: bytes / 1e6 / wall, packetsPerSecond: packets / wall, peakRssMB: rss });
  }
}
console.log(`\n| capture | size | packets | tool | wall s | CPU s | MB/s | packets/s | peak RSS MB |`);
console.log(`|---|---:|---:|---|---:|---:|---:|---:|---:|`);
for (const r of results) {
  console.log(`| ${r.file} | ${(r.bytes / 1e6).toFixed(0)} MB | ${r.packets.toLocaleString('en-US')} | ${r.tool} | ${r.wallSeconds.toFixed(2)} | ${r.cpuSeconds.toFixed(2)} | ${r.mbPerSecond.toFixed(0)} | ${(r.packetsPerSecond / 1e6).toFixed(2)} M | ${r.peakRssMB.toFixed(0)} |`);
}
console.log(`\nload average at the end: ${load()}`);
if (profiles.length) {
  console.log(`\nprofiles (one untimed run each, runtime flags + --cpu-prof --trace-gc --trace-opt) in ${profileDir}:`);
  console.log(`| capture | tool | scavenges (ms) | mark-compacts (ms) | TurboFan compiles (ms, background) | folder |`);
  console.log(`|---|---|---:|---:|---:|---|`);
  for (const p of profiles) console.log(`| ${p.file} | ${p.tool} | ${p.scavenges} (${p.scavengeMs.toFixed(0)}) | ${p.markCompacts} (${p.markCompactMs.toFixed(0)}) | ${p.compiles} (${p.compileMs.toFixed(0)}) | ${p.dir} |`);
  console.log(`summary of one: node test/bench/profile-top.mjs ${profiles[0].dir}/*.cpuprofile`);
}
rmSync(OUT_DIR, { recursive: true, force: true });
mkdirSync(join(root, 'test/bench/out'), { recursive: true });
writeFileSync(join(root, 'test/bench/out/results.json'), JSON.stringify(results, null, 2));
