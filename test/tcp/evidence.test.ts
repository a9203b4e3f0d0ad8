/**
 * Acknowledgements as evidence (DESIGN.md §2.3): what one direction's ACKs prove about the other,
 * per connection and per direction, as named scenarios of a one-way capture (`tcpdump src host`
 * of one end) and of capture loss. Segments are hand-built (test/tcp/wire.ts): the same numbers as
 * the lab's passive download, cut the way a one-way tap cuts them.
 */
import { describe, expect, it } from 'vitest';
import { TcpTracker, type ConnectionSummary } from '../../src/tcp/index.js';
import { Wire, type Segment } from './wire.js';

function run(segments: Segment[], client = '192.0.2.10:40010', server = '198.51.100.20:30000'): ConnectionSummary {
  const out: ConnectionSummary[] = [];
  const t = new TcpTracker({ events: { removed: (s) => out.push(s) } });
  new Wire(t, client, server).send(...segments);
  t.finish();
  expect(out).toHaveLength(1);
  return out[0];
}

/** A 3000-byte download on a passive data connection, both ways. */
const download: Segment[] = [
  { from: 'c', flags: 'S', seq: 1000 },
  { from: 's', flags: 'SA', seq: 9000, ack: 1001 },
  { from: 'c', flags: 'A', seq: 1001, ack: 9001 },
  { from: 's', flags: 'PA', seq: 9001, ack: 1001, data: Buffer.alloc(1000, 1) },
  { from: 's', flags: 'PA', seq: 10001, ack: 1001, data: Buffer.alloc(1000, 2) },
  { from: 'c', flags: 'A', seq: 1001, ack: 11001 },
  { from: 's', flags: 'PA', seq: 11001, ack: 1001, data: Buffer.alloc(1000, 3) },
  { from: 's', flags: 'FA', seq: 12001, ack: 1001 },
  { from: 'c', flags: 'A', seq: 1001, ack: 12001 },
  { from: 'c', flags: 'FA', seq: 1001, ack: 12002 },
  { from: 's', flags: 'A', seq: 12002, ack: 1002 },
];

describe('acknowledgements as evidence', () => {
  it('both directions: each side seen, its highest ACK, and the bytes its peer acknowledged', () => {
    const s = run(download);
    expect(s).toMatchObject({ state: 'SF', oneSided: null, synAckProofFrame: 3 });
    expect(s.respSent).toMatchObject({ seen: true, bytes: 3000, ackedByPeer: 3001, missedBytes: 0, finFrame: 8 });
    expect(s.origSent).toMatchObject({ seen: true, highestAck: 12002, ackedByPeer: 1, finFrame: 10 });
  });

  it("the client's side only: its ACK after its SYN proves the SYN-ACK; its ACKs count the server's bytes", () => {
    const s = run(download.filter((x) => x.from === 'c'));
    expect(s).toMatchObject({ oneSided: 'orig', synAckFrame: null, synAckProofFrame: 2 });
    expect(s.respSent).toMatchObject({ seen: false, bytes: 0, ackedByPeer: 3001 });
    expect(s.origSent).toMatchObject({ seen: true, highestAck: 12002, finFrame: 5 });
  });

  it("the server's side only: its SYN-ACK is there, its own bytes and FIN, the client's FIN acknowledged", () => {
    const s = run(download.filter((x) => x.from === 's'));
    expect(s).toMatchObject({ oneSided: 'resp', synAckProofFrame: null });
    expect(s.synAckFrame).not.toBeNull();
    expect(s.respSent).toMatchObject({ seen: true, bytes: 3000, finFrame: 5, ackedByPeer: null });
    expect(s.origSent).toMatchObject({ seen: false, ackedByPeer: 1 });
  });

  it('a SYN that is only retried proves nothing: no SYN-ACK proof, one side', () => {
    const s = run([
      { from: 'c', flags: 'S', seq: 1000, t: 1 },
      { from: 'c', flags: 'S', seq: 1000, t: 2 },
    ]);
    expect(s).toMatchObject({ state: 'S0', oneSided: 'orig', synAckProofFrame: null, synRetransmits: 1 });
    expect(s.origSent).toMatchObject({ highestAck: null });
  });

  it('capture loss: a data segment the capture dropped, acknowledged by the client, is missed (not unseen)', () => {
    const s = run(download.filter((_, i) => i !== 4));
    expect(s.respSent).toMatchObject({ bytes: 3000, missedBytes: 1000, unseenBytes: 0, ackedByPeer: 3001 });
  });

  it("a lone RST+ACK answers a SYN the capture lacks: its sender is the responder", () => {
    const s = run([{ from: 's', flags: 'RA', seq: 0, ack: 1001 }]);
    expect(s).toMatchObject({ state: 'RSTRH', oneSided: 'resp', orig: { ip: '192.0.2.10', port: 40010 }, resp: { ip: '198.51.100.20', port: 30000 } });
    expect(s.history).toBe('^r');
  });
});
