/**
 * The one outcome function (src/ftp/diagnose.ts `outcomeOf`) as a table of {in, want} rows, named
 * by scenario: every failure needs evidence the capture holds (DESIGN.md §3), one-sided captures
 * decide from the side that was seen or say `incomplete`. The connection summaries are built here
 * with the fields the rules read; the field-conditions test runs the same rules on real captures.
 */
import { describe, expect, it } from 'vitest';
import { diagnosis, outcomeOf, type ControlSeen, type DataFacts } from '../../src/ftp/diagnose.js';
import type { ConnectionSummary, DirectionSummary } from '../../src/tcp/index.js';
import type { Outcome } from '../../src/ftp/model.js';
import type { HalfAnnouncement, ReplyRec, TransferRec } from '../../src/ftp/session.js';

const at = { sec: 1, nsec: 0 };

function dir(o: Partial<DirectionSummary> = {}): DirectionSummary {
  return {
    state: 'established', packets: 1, bytes: 0, missedBytes: 0, unseenBytes: 0, snapCutBytes: 0, retransmittedBytes: 0, conflictingBytes: 0, outOfWindowSegments: 0,
    synFrame: null, finFrame: null, rstFrame: null, finTime: null, rstTime: null, seen: true, highestAck: null, highestAckTime: null, ackedByPeer: null, ...o,
  };
}

/** A passive data connection client 192.0.2.10:40010 -> server 198.51.100.20:30000. */
/** Overrides of a connection summary; `orig`/`resp` here override what each side sent. */
type ConnOverrides = Omit<Partial<ConnectionSummary>, 'orig' | 'resp'> & { orig?: Partial<DirectionSummary>; resp?: Partial<DirectionSummary> };

function conn(o: ConnOverrides = {}): ConnectionSummary {
  const { orig, resp, ...rest } = o;
  return {
    id: 1, ipVersion: 4, orig: { ip: '192.0.2.10', port: 40010 }, resp: { ip: '198.51.100.20', port: 30000 },
    startSec: 1, startNsec: 0, endSec: 2, endNsec: 0, state: 'SF', history: '', midStream: false, firstFrame: 10, lastFrame: 20,
    synFrame: 10, synRetransmits: 0, synRetransmitFrames: [], synAckFrame: 11, establishedFrame: 12, synTime: at, synRetransmitTimes: [], synAckTime: at, handshake: null,
    origSent: dir({ finFrame: 19, ...orig }), respSent: dir({ finFrame: 18, bytes: 3000, ...resp }), open: false, synAckProofFrame: 12, oneSided: null, removal: 'end-of-capture', followed: false, rejection: null,
    ...rest,
  };
}

const reply = (code: number): ReplyRec => ({ code, text: `${code} x`, frame: 30, at });

function retr(o: Partial<TransferRec> = {}): TransferRec {
  return { verb: 'RETR', arg: 'f', path: '/f', direction: 'download', frame: 9, at, announcement: null, replies: [], expectedBytes: 3000, restOffset: 0, abortFrame: null, final: reply(226), inferred: false, nextCommandFrame: null, ...o };
}

interface Row {
  name: string;
  in: { conn: ConnectionSummary | null; transfer?: TransferRec | null; bytes?: number | null; ackedBytes?: number | null; controlSeen?: ControlSeen; mode?: DataFacts['mode']; initiator?: DataFacts['initiator']; controlAckAt?: DataFacts['controlAckAt']; gaveUp?: DataFacts['gaveUp'] };
  want: Outcome;
}

function facts(r: Row['in']): DataFacts {
  const c = r.conn;
  const t = r.transfer === undefined ? retr() : r.transfer;
  return {
    capturePoint: 'unknown', mode: r.mode ?? 'passive', initiator: r.initiator ?? 'client', client: { ip: '192.0.2.10', port: 40001 }, server: { ip: '198.51.100.20', port: 21 },
    target: { ip: '198.51.100.20', port: 30000 }, match: c ? { conn: c, usedFallback: false, retries: 0 } : null, transfer: t,
    bytes: r.bytes === undefined ? (c ? c.respSent.bytes : null) : r.bytes, missedBytes: 0, ackedBytes: r.ackedBytes === undefined ? null : r.ackedBytes,
    expectedBytes: t?.expectedBytes ?? null, controlSeen: r.controlSeen ?? 'both',
    // Client side: the client acknowledged a reply after the data connection ended (it ends at 2 s).
    controlAckAt: r.controlAckAt !== undefined ? r.controlAckAt : r.controlSeen === 'client' ? { sec: 3, nsec: 0 } : null,
    gaveUp: r.gaveUp ?? null,
  };
}

const synOnly = (retries: number, o: ConnOverrides = {}): ConnectionSummary =>
  conn({ state: 'S0', synAckFrame: null, synAckProofFrame: null, synRetransmits: retries, oneSided: 'orig', open: true, orig: { finFrame: null, highestAck: null }, resp: { seen: false, packets: 0, bytes: 0, finFrame: null }, ...o });

const rows: Row[] = [
  {
    name: 'SYN answered by an ICMP destination unreachable quoting it (nftables reject at a router) → refused',
    in: { conn: synOnly(0, { rejection: { from: '192.0.2.1', version: 4, type: 3, code: 13, text: 'ICMP administratively prohibited', frame: 11, time: at, quoted: 0 } }), transfer: null },
    want: 'refused',
  },
  // --- both sides captured
  { name: 'clean download: final 226, all bytes', in: { conn: conn() }, want: 'completed' },
  { name: 'no connection, both sides captured', in: { conn: null }, want: 'not-attempted' },
  { name: 'SYN answered by RST', in: { conn: conn({ state: 'REJ', synAckFrame: null, synAckProofFrame: null, resp: { rstFrame: 11, bytes: 0, finFrame: null } }) }, want: 'refused' },
  { name: 'SYNs retried, nothing back, the server side captured elsewhere', in: { conn: synOnly(2) }, want: 'no-answer' },
  { name: 'a single SYN, nothing back: the capture cannot tell a drop', in: { conn: synOnly(0) }, want: 'incomplete' },
  {
    // Lab 24 (server tap): nftables drops the server's SYN-ACKs on the way back; the client's SYN
    // comes again after each one it never got.
    name: 'SYN-ACKs captured, the SYN sent again after them, never acknowledged → incomplete (no-answer means no SYN-ACK; the diagnosis names the lost ones)',
    in: { conn: conn({ state: 'OTH', synRetransmits: 2, synRetransmitFrames: [13, 15], synAckFrame: 11, establishedFrame: null, synAckProofFrame: null, open: true, orig: { finFrame: null, highestAck: null }, resp: { bytes: 0, finFrame: null } }), transfer: null },
    want: 'incomplete',
  },
  {
    name: 'SYN retransmitted before the SYN-ACK (it crossed the SYN-ACK), never acknowledged: no loss shown → incomplete',
    in: { conn: conn({ state: 'OTH', synRetransmits: 1, synRetransmitFrames: [11], synAckFrame: 12, establishedFrame: null, synAckProofFrame: null, open: true, orig: { finFrame: null, highestAck: null }, resp: { bytes: 0, finFrame: null } }), transfer: null },
    want: 'incomplete',
  },
  { name: 'SYN retried, but the SYN-ACK proven by the ACK after it', in: { conn: synOnly(2, { synAckProofFrame: 13, open: false, orig: { finFrame: 19 } }), controlSeen: 'client', ackedBytes: 3000, transfer: retr({ final: null, nextCommandFrame: 40 }) }, want: 'completed' },
  { name: 'ABOR sent', in: { conn: conn(), transfer: retr({ abortFrame: 25, final: reply(426) }) }, want: 'aborted' },
  { name: '550 after connecting', in: { conn: conn({ resp: { bytes: 0 } }), transfer: retr({ final: reply(550), expectedBytes: null }) }, want: 'failed' },
  { name: 'RST, then 426', in: { conn: conn({ orig: { rstFrame: 15 } }), transfer: retr({ final: reply(426) }) }, want: 'reset' },
  { name: '426 without a RST', in: { conn: conn(), transfer: retr({ final: reply(426) }) }, want: 'aborted' },
  { name: 'no transfer, closed, announced', in: { conn: conn({ resp: { bytes: 0 } }), transfer: null }, want: 'unused' },
  { name: 'no transfer, no announcement (after AUTH TLS), closed', in: { conn: conn(), transfer: null, mode: 'unknown' }, want: 'completed' },
  { name: 'no transfer, no announcement, reset', in: { conn: conn({ resp: { rstFrame: 15 } }), transfer: null, mode: 'unknown' }, want: 'reset' },
  { name: 'no transfer, no announcement, mid-stream and open', in: { conn: conn({ state: 'OTH', midStream: true, synFrame: null, synAckFrame: null, synAckProofFrame: null, open: true, orig: { finFrame: null }, resp: { finFrame: null } }), transfer: null, mode: 'unknown' }, want: 'incomplete' },
  { name: 'no transfer, no announcement, mid-stream and closed', in: { conn: conn({ state: 'OTH', midStream: true, synFrame: null, synAckFrame: null, synAckProofFrame: null }), transfer: null, mode: 'unknown' }, want: 'completed' },
  { name: 'killed server: FIN after fewer bytes, no final reply', in: { conn: conn({ resp: { bytes: 1000 } }), transfer: retr({ final: null }) }, want: 'truncated' },
  { name: '226 but the sender stopped short', in: { conn: conn({ resp: { bytes: 1000 } }) }, want: 'truncated' },
  { name: 'capture loss at the tail: 226, sequence space short, the receiver acknowledged it all', in: { conn: conn({ resp: { bytes: 2000 } }), ackedBytes: 3000 }, want: 'completed' },
  { name: "capture loss of the receiver's last ACKs: the sender's stream is whole", in: { conn: conn(), ackedBytes: 2000 }, want: 'completed' },
  { name: 'no final reply, still open', in: { conn: conn({ open: true, orig: { finFrame: null }, resp: { finFrame: null } }), transfer: retr({ final: null }) }, want: 'incomplete' },
  { name: 'no final reply, closed, all bytes', in: { conn: conn(), transfer: retr({ final: null }) }, want: 'incomplete' },
  // --- only the client's side captured (client-side tap, one-way SPAN)
  { name: 'client side: no connection for a PORT (the server side would show it)', in: { conn: null, controlSeen: 'client', mode: 'active', initiator: 'server' }, want: 'incomplete' },
  { name: "client side: no connection for a PASV (the client's own SYN would show)", in: { conn: null, controlSeen: 'client' }, want: 'not-attempted' },
  { name: "client side: SYNs retried, the server's side not captured", in: { conn: synOnly(2), controlSeen: 'client' }, want: 'incomplete' },
  { name: 'client side: its only SYN given up at once (its next announcement 0.1 ms later)', in: { conn: synOnly(0, { oneSided: 'orig' }), controlSeen: 'client', gaveUp: { frame: 12, after: 0.0001, what: 'its EPSV' } }, want: 'refused' },
  { name: 'client side: its only SYN, nothing shows it given up', in: { conn: synOnly(0, { oneSided: 'orig' }), controlSeen: 'client' }, want: 'incomplete' },
  { name: "server side: its only SYN, its 425 at once (the client's RST not captured)", in: { conn: synOnly(0, { oneSided: 'orig' }), controlSeen: 'server', mode: 'active', initiator: 'server', gaveUp: { frame: 12, after: 0.0001, what: "425 Can't connect to specified address." } }, want: 'refused' },
  { name: 'client side: acknowledged all, closed, next command', in: { conn: conn({ oneSided: 'orig', synAckFrame: null, resp: { seen: false, bytes: 0, finFrame: null } }), controlSeen: 'client', ackedBytes: 3000, bytes: 3000, transfer: retr({ final: null, nextCommandFrame: 40 }) }, want: 'completed' },
  { name: 'client side: acknowledged all, closed, no next command', in: { conn: conn({ oneSided: 'orig', synAckFrame: null, resp: { seen: false, bytes: 0, finFrame: null } }), controlSeen: 'client', ackedBytes: 3000, transfer: retr({ final: null }) }, want: 'incomplete' },
  { name: 'client side: only a FIN acknowledged (a 550 after an empty connection)', in: { conn: conn({ oneSided: 'orig', synAckFrame: null, resp: { seen: false, bytes: 0, finFrame: null } }), controlSeen: 'client', ackedBytes: 0, bytes: 0, transfer: retr({ final: null, expectedBytes: null, nextCommandFrame: 40 }) }, want: 'incomplete' },
  { name: 'server side: the server acknowledged fewer bytes of an upload than announced', in: { conn: conn({ oneSided: 'resp', resp: { bytes: 0 }, orig: { seen: false, finFrame: null } }), controlSeen: 'server', ackedBytes: 1000, transfer: retr({ direction: 'upload' }) }, want: 'truncated' },
  {
    name: 'client side: a server killed mid-download (its data FIN acknowledged, the client goes on) but the client acknowledged no reply after the data connection ended → not completed',
    in: { conn: conn({ oneSided: 'orig', synAckFrame: null, orig: { highestAckTime: { sec: 1, nsec: 900_000_000 } }, resp: { seen: false, bytes: 0, finFrame: null } }), controlSeen: 'client', ackedBytes: 100016, bytes: 100016, transfer: retr({ final: null, expectedBytes: null, nextCommandFrame: 40 }), controlAckAt: { sec: 1, nsec: 600_000_000 } },
    want: 'incomplete',
  },
  {
    name: 'client side: the same with the control ACK of its final reply after the data FIN was acknowledged → completed',
    in: { conn: conn({ oneSided: 'orig', synAckFrame: null, orig: { highestAckTime: { sec: 1, nsec: 900_000_000 } }, resp: { seen: false, bytes: 0, finFrame: null } }), controlSeen: 'client', ackedBytes: 100016, bytes: 100016, transfer: retr({ final: null, expectedBytes: null, nextCommandFrame: 40 }), controlAckAt: { sec: 1, nsec: 950_000_000 } },
    want: 'completed',
  },
  {
    name: 'client side: an upload is over when the client sent its FIN; a reply acknowledged after that → completed',
    in: { conn: conn({ oneSided: 'orig', synAckFrame: null, orig: { bytes: 3000, finTime: { sec: 1, nsec: 500_000_000 } }, resp: { seen: false, bytes: 0, finFrame: null } }), controlSeen: 'client', bytes: 3000, transfer: retr({ verb: 'STOR', direction: 'upload', final: null, expectedBytes: null, nextCommandFrame: 40 }), controlAckAt: { sec: 1, nsec: 700_000_000 } },
    want: 'completed',
  },
  // --- only the server's side captured
  {
    name: 'server side: a transfer inferred from its refusal (vsftpd "550 Failed to open file." to a RETR not captured) → failed',
    in: { conn: conn({ oneSided: 'resp', state: 'RSTRH', resp: { bytes: 0, finFrame: null, rstFrame: 20 }, orig: { seen: false, finFrame: null } }), controlSeen: 'server', transfer: retr({ verb: '', arg: '', path: null, inferred: true, expectedBytes: null, final: reply(550) }) },
    want: 'failed',
  },
  { name: "server side: the responder's RST alone", in: { conn: conn({ state: 'RSTRH', midStream: true, synFrame: null, synAckFrame: null, synAckProofFrame: null, oneSided: 'resp', orig: { seen: false, packets: 0, finFrame: null }, resp: { rstFrame: 5, bytes: 0, finFrame: null } }) }, want: 'refused' },
  { name: "server side: the server's active SYNs retried, the client's side not captured", in: { conn: synOnly(3), controlSeen: 'server', mode: 'active', initiator: 'server' }, want: 'incomplete' },
  { name: 'server side: 226 and its own bytes', in: { conn: conn({ oneSided: 'resp', orig: { seen: false, finFrame: null } }), controlSeen: 'server' }, want: 'completed' },
  // Half announcements: the initiator's side of the control connection captured, no connection.
  { name: 'client side: PASV sent, no SYN after it → not-attempted', in: { conn: null, controlSeen: 'client', transfer: retr({ final: null }) }, want: 'not-attempted' },
  { name: "server side: the server's 200 to PORT, no SYN of its own after it → not-attempted", in: { conn: null, controlSeen: 'server', mode: 'active', initiator: 'server', transfer: null }, want: 'not-attempted' },
  { name: "client side: PORT sent, the server's SYN not in the client's side → incomplete", in: { conn: null, controlSeen: 'client', mode: 'active', initiator: 'server', transfer: null }, want: 'incomplete' },
];

describe('diagnosis of SYN-ACKs lost on the way back', () => {
  it('names the SYN-ACK and the SYNs sent after it', () => {
    const c = conn({ state: 'OTH', synRetransmits: 2, synRetransmitFrames: [13, 15], synAckFrame: 11, establishedFrame: null, synAckProofFrame: null, open: true, orig: { finFrame: null, highestAck: null }, resp: { bytes: 0, finFrame: null } });
    const f = facts({ conn: c, transfer: null });
    expect(diagnosis(f, outcomeOf(f))).toMatch(/^The server answered the client's SYN to 198\.51\.100\.20:30000 \(SYN-ACK, frame 11\), but the client sent its SYN again after it \(frames 13, 15\).*did not reach the client/);
  });
});

describe('diagnosis of a half announcement with no connection: what the captured half says', () => {
  const half = (o: Partial<HalfAnnouncement>): HalfAnnouncement => ({ kind: 'active', named: true, frame: 32, at, refused: false, tried: false, reply: null, commandBytes: null, transfer: null, failure: null, ...o });
  const say = (initiator: DataFacts['initiator'], h: HalfAnnouncement): string => {
    const f = { ...facts({ conn: null, controlSeen: initiator, mode: h.kind, initiator, transfer: null }), target: null, half: h };
    return diagnosis(f, outcomeOf(f));
  };
  it('the client sent PASV and no SYN: it never connected', () => {
    expect(say('client', half({ kind: 'passive', frame: 14 }))).toMatch(/^The client sent PASV \(frame 14\) but no SYN from it follows.*never connected/);
  });
  it('the server refused the command: its reply quoted', () => {
    expect(say('server', half({ refused: true, reply: { code: 500, text: '500 Illegal PORT command.' } }))).toMatch(/^The server refused the client's active-mode command \(frame 32: 500 Illegal PORT command\.\): no data connection followed/);
  });
  it('the server says it tried, no SYN of its own in the capture: the capture point does not see that path', () => {
    expect(say('server', half({ named: false, tried: true, reply: { code: 421, text: '421 Active data channel timed out.' } }))).toMatch(/says it tried to connect.*this capture point does not see the path/);
  });
});

describe('outcomeOf: one function, evidence for every failure', () => {
  for (const r of rows) {
    it(r.name, () => {
      expect({ name: r.name, outcome: outcomeOf(facts(r.in)) }).toEqual({ name: r.name, outcome: r.want });
    });
  }
});
