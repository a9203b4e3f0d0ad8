/**
 * Every capture in the repo, read by our reader, agrees with tshark's recorded view of it
 * (test/tshark/*.tsv, made by test/tshark/record.sh): frame count, timestamps to the nanosecond,
 * wire and captured lengths, pcapng interface ids.
 */
import { describe, it, expect } from 'vitest';
import { readAll } from '../helpers/capture.js';
import { tsharkViews } from '../helpers/tshark.js';

const views = tsharkViews();

describe('capture reader agrees with tshark', () => {
  it('has recorded tshark views to compare', () => {
    expect(views.length).toBeGreaterThan(0);
  });
  for (const v of views) {
    it(v.path, async () => {
      const { records, errors } = await readAll([v.path]);
      expect(errors).toEqual([]);
      expect(records.length).toBe(v.frames.length);
      for (let i = 0; i < records.length; i++) {
        const r = records[i];
        const t = v.frames[i];
        expect(r.frame).toBe(t.frame);
        expect(`${r.tsSec}.${String(r.tsNsec).padStart(9, '0')}`).toBe(t.epoch);
        expect(r.originalLength).toBe(t.len);
        expect(r.capturedLength).toBe(t.capLen);
        if (t.interfaceId !== null) expect(r.interfaceId).toBe(t.interfaceId);
      }
    });
  }
});

describe('tshark views are recorded', () => {
  it('for every capture in fixtures/ (run bash test/tshark/record.sh after adding one)', async () => {
    const { findFiles } = await import('../helpers/capture.js');
    const captures = findFiles('fixtures', (n) => /\.(pcap|pcapng)(\.gz)?$/.test(n));
    const recorded = new Set(views.map((v) => v.path));
    expect(captures.filter((c) => !recorded.has(c))).toEqual([]);
  });
});
