import { it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { readAll } from './helpers/capture.js';
import { toPcap, variantRecords, VARIANTS } from './helpers/variants.js';
it('make', async () => {
  for (const f of (process.env.FIX ?? '').split(',')) {
    const { records } = await readAll([`fixtures/${f}`]);
    const clients = new Set((process.env.CLIENTS ?? '192.0.2.10').split(','));
    for (const v of VARIANTS) writeFileSync(`/tmp/ev/${f}.${v}.pcap`, toPcap(variantRecords(records, v, clients)) as Buffer);
  }
});
