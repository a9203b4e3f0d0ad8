/**
 * A killed `--jobs` run leaves nothing behind: neither the report's temporary file nor the
 * workers' partial results (a large archive's can be gigabytes), and exits as a shell expects.
 * The input is a hand-built SYN flood (test/hostile/gen.ts), big enough to be killed mid-way.
 */
import { describe, it, expect } from 'vitest';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { PcapWriter, SynTemplate, ip4, prng, tempDir } from '../hostile/gen.js';
import { LiveCli, waitFor } from '../cli/spawn.js';

describe('--jobs killed mid-way', () => {
  it('SIGTERM: exit 143, one stderr line, no partial results and no report left', async () => {
    const { dir, cleanup } = tempDir();
    try {
      const input = join(dir, 'flood.pcap');
      const w = new PcapWriter(input);
      const syn = new SynTemplate();
      const rnd = prng(7);
      for (let i = 0; i < 600_000; i++) w.record(1_800_000_000 + Math.floor(i / 1000), (i % 1000) * 1000, syn.set(ip4('10.0.0.0') + Math.floor(rnd() * 65536), 1024 + (i % 60000), ip4('198.51.100.20'), 21, i));
      w.close();
      const tmp = join(dir, 'tmp');
      const out = join(dir, 'out');
      mkdirSync(tmp);
      mkdirSync(out);
      const run = new LiveCli(['analyze', '--jobs', '2', '-q', '--format', 'json', '-o', join(out, 'r.json'), input], { ...process.env, TMPDIR: tmp });
      run.end();
      // The workers' folder appears once they start...
      expect(await waitFor(() => readdirSync(tmp).some((f) => f.startsWith('ftp-pcap-jobs-')), 10_000)).toBe(true);
      run.child.kill('SIGTERM');
      const end = await run.exited;
      expect(end.code).toBe(143);
      expect(run.stderr).toBe('ftp-pcap: terminated (SIGTERM)\n');
      // ...and is gone with the report's temporary file.
      expect(readdirSync(tmp)).toEqual([]);
      expect(readdirSync(out)).toEqual([]);
    } finally {
      cleanup();
    }
  }, 60_000);
});
