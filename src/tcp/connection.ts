/**
 * A tracked connection: its two endpoints (each a reassembly Half plus handshake facts), its
 * Zeek-like history, timestamps and key frames, and the summary record it leaves behind.
 *
 * Direction 0 is what the originator (initiator) sends, 1 what the responder sends. The originator
 * is who sent the first SYN; when the capture starts later (mid-stream pickup) the tracker guesses
 * (see tracker.ts) and marks the history with `^` when it chose the receiver of the first packet.
 *
 * History letters (Zeek's conn.log `history`): upper case for the originator, lower case for the
 * responder. s SYN without ACK; h SYN+ACK; a pure ACK; d payload; f FIN; r RST; t payload that was
 * seen before (retransmission); g a gap the capture missed; w zero window; i inconsistent flags
 * (FIN+RST); q SYN together with FIN or RST; ^ originator chosen by heuristic. a, d, i, q appear at
 * most once per direction; s, h, f, r again only with another sequence number than the last of the
 * same letter; t, g, w logarithmically (at the 1st, 10th, 100th ... occurrence).
 */
import { formatIp, formatIpv4 } from '../decode/address.js';
import { TCP_MAX_SYN_RETRANSMIT_FRAMES } from '../limits.js';
import { wordsToBytes } from './flow.js';
import { seqDiff } from './sequence.js';
import type { ReassemblyBudget } from './budget.js';
import { HALF_FIRST_FREE_BIT } from './half-fields.js';
import { Half } from './reassembly.js';
import type { Direction, StreamOwner, StreamSink } from './stream.js';
import {
  connState,
  ENDPOINT_STATE_NAMES,
  EndpointState,
  type ConnState,
  type EndpointFacts,
  type EndpointStateName,
} from './state.js';

/** Why a connection left the tracker. `idle` and `capacity` are evictions. */
export type RemovalReason = 'idle' | 'capacity' | 'port-reuse' | 'end-of-capture';

export interface EndpointAddress {
  readonly ip: string;
  readonly port: number;
}

/** One direction's totals: what its sender sent. */
export interface DirectionSummary {
  readonly state: EndpointStateName;
  readonly packets: number;
  /** Payload bytes in sequence space, missed ones included (Zeek's orig_bytes / resp_bytes). */
  readonly bytes: number;
  /** Bytes the capture missed, with proof: gaps the receiver acknowledged (also after they were
   * skipped), snap-length cuts. */
  readonly missedBytes: number;
  /** Bytes never seen, in gaps skipped without proof (timeout, bound, end of the connection or
   * capture) and never acknowledged: the network lost them and they were not (yet) retransmitted,
   * or the capture shows one direction only. */
  readonly unseenBytes: number;
  /** Of missedBytes, those the snap length cut off captured segments. */
  readonly snapCutBytes: number;
  /** Payload bytes seen more than once. */
  readonly retransmittedBytes: number;
  /** Bytes seen twice with different content (only known for followed connections). */
  readonly conflictingBytes: number;
  readonly outOfWindowSegments: number;
  /** Frame of its first SYN (or SYN+ACK), FIN and RST; null when none. */
  readonly synFrame: number | null;
  readonly finFrame: number | null;
  readonly rstFrame: number | null;
  /** Capture time of its first FIN and first RST; null when none. */
  readonly finTime: CaptureTime | null;
  readonly rstTime: CaptureTime | null;
  /** The capture holds at least one segment of this direction. */
  readonly seen: boolean;
  /** The highest acknowledgement number this direction's sender sent (unsigned); null when it
   * sent no ACK. */
  readonly highestAck: number | null;
  /** Capture time of the segment that first carried highestAck: when the sender last acknowledged
   * new bytes of its peer (a reply it received, a FIN); null when it sent no ACK. */
  readonly highestAckTime: CaptureTime | null;
  /** Sequence numbers of this direction the peer acknowledged: its highest ACK less this
   * direction's first sequence number (ISN + 1, or the peer's first ACK when the SYN was not
   * seen). A FIN the peer acknowledged counts one. Evidence of delivery that holds when the
   * capture missed this direction's segments (Zeek's missed_bytes reasoning); null when the peer
   * sent no ACK. */
  readonly ackedByPeer: number | null;
}

/** A capture timestamp, exact (seconds and nanoseconds since the epoch). */
export interface CaptureTime {
  readonly sec: number;
  readonly nsec: number;
}

/**
 * An ICMP or ICMPv6 destination unreachable that quoted one of the connection's segments
 * (src/decode/icmp.ts): the connection was rejected by `from`, the device that sent it (a
 * firewall's `reject`, a router without a route, the destination host itself).
 */
export interface IcmpRejection {
  /** The ICMP message's source address: the rejecting device. */
  readonly from: string;
  readonly version: 4 | 6;
  readonly type: number;
  readonly code: number;
  /** The code in words: "ICMP administratively prohibited", "ICMPv6 port unreachable". */
  readonly text: string;
  readonly frame: number;
  readonly time: CaptureTime;
  /** Whose segment it quoted: the originator's (0, typically its SYN) or the responder's (1). */
  readonly quoted: Direction;
}

/** The record behind `ftp-pcap connections`: a plain readonly object. */
export interface ConnectionSummary {
  readonly id: number;
  readonly ipVersion: 4 | 6;
  /** Initiator (who sent the first SYN, or the heuristic's guess) and responder. */
  readonly orig: EndpointAddress;
  readonly resp: EndpointAddress;
  readonly startSec: number;
  readonly startNsec: number;
  readonly endSec: number;
  readonly endNsec: number;
  readonly state: ConnState;
  readonly history: string;
  /** No SYN was seen: picked up mid-stream. */
  readonly midStream: boolean;
  readonly firstFrame: number;
  readonly lastFrame: number;
  /** Frame of the originator's first SYN, of its retransmissions (at most
   * TCP_MAX_SYN_RETRANSMIT_FRAMES listed, all counted), of the first SYN+ACK, of the ACK that
   * completed the handshake; null when none. */
  readonly synFrame: number | null;
  readonly synRetransmits: number;
  readonly synRetransmitFrames: readonly number[];
  readonly synAckFrame: number | null;
  readonly establishedFrame: number | null;
  /** Capture time of the originator's first SYN, of its retransmissions (listed like
   * synRetransmitFrames, in the same order) and of the first SYN+ACK; null / empty when none. */
  readonly synTime: CaptureTime | null;
  readonly synRetransmitTimes: readonly CaptureTime[];
  readonly synAckTime: CaptureTime | null;
  /** Handshake timing as the capture saw it: seconds from the first SYN to the SYN+ACK, and from
   * the SYN+ACK to the ACK that completed it (null when not seen). Where the capture was taken
   * shows here: near the client the first is a round trip and the second ~0; near the server the
   * other way round. */
  readonly handshake: { readonly synToSynAck: number; readonly synAckToAck: number } | null;
  readonly origSent: DirectionSummary;
  readonly respSent: DirectionSummary;
  /** Still open when it left the tracker (neither closed both ways nor reset). */
  readonly open: boolean;
  /** Frame of the originator's ACK that proves a SYN-ACK reached it (its first non-SYN, non-RST
   * segment after its SYN: RFC 9293 §3.10.7.3, a SYN-SENT endpoint acknowledges nothing else),
   * also when the capture lacks the SYN-ACK; null when none. */
  readonly synAckProofFrame: number | null;
  /** Only one direction was captured: `orig` (the originator's segments alone) or `resp`; null
   * when both were (or none). */
  readonly oneSided: 'orig' | 'resp' | null;
  readonly removal: RemovalReason;
  /** Someone followed its byte stream. */
  readonly followed: boolean;
  /** The first ICMP destination unreachable that quoted one of its segments; null when none. */
  readonly rejection: IcmpRejection | null;
}

/** What lifecycle callbacks see of a live connection (readonly; do not keep `Connection`s). */
export interface Connection extends EndpointPair {
  readonly id: number;
  readonly state: ConnState;
  readonly history: string;
  readonly midStream: boolean;
  readonly followed: boolean;
  readonly firstFrame: number;
  readonly lastFrame: number;
  /** Payload bytes both ways in sequence space (its summary's origSent.bytes + respSent.bytes). */
  readonly bytes: number;
  summary(removal?: RemovalReason): ConnectionSummary;
  /** Its numbers as they stand, compact (ConnRecord): for holding it past `removed`. */
  record(removal?: RemovalReason): ConnRecord;
  /** How far direction `dir`'s sender acknowledged the other direction with acknowledgement
   * number `ack` (one of its segments'), counted from its first ACK (null before one): between
   * two of its segments, how many bytes the peer sent in between, also when the peer's packets
   * are not in the capture. */
  acknowledged(dir: Direction, ack: number): number | null;
}

/** Addresses of a connection without building strings: IPv4 as numbers (0 for IPv6). */
export interface EndpointPair {
  readonly ipVersion: 4 | 6;
  readonly orig4: number;
  readonly resp4: number;
  readonly origPort: number;
  readonly respPort: number;
  readonly origIp: string;
  readonly respIp: string;
}

/** 1, 10, 100, ...: where the logarithmic history letters (t, g, w) are written again. */
export function isPow10(n: number): boolean {
  while (n >= 10 && n % 10 === 0) n /= 10;
  return n === 1;
}

const EP_SENT_SYN = HALF_FIRST_FREE_BIT;
const EP_SENT_SYN_ACK = HALF_FIRST_FREE_BIT << 1;
const EP_INSPECTED = HALF_FIRST_FREE_BIT << 2;
const EP_ACK_SENT = HALF_FIRST_FREE_BIT << 3;

const C_FOLLOWED = 1;
const C_SINK_ENDED = 2;
const C_REMOVED = 4;
const C_MID_STREAM = 8;
const C_FLIPPED = 16;
const C_ESTABLISHED_FIRED = 32;
const C_CLOSED_FIRED = 64;
const C_RESET_FIRED = 128;

const NO_FRAMES: readonly number[] = Object.freeze([]);
const NO_TIMES: readonly CaptureTime[] = Object.freeze([]);

/** A connection's rarely written fields (see Conn.rare). */
class ConnRare {
  synRetransmits = 0;
  synRetransmitFrames: number[] | null = null;
  /** Capture times of the listed SYN retransmissions, flat: sec, nsec, sec, nsec... */
  synRetransmitTimes: number[] | null = null;
  rejection: IcmpRejection | null = null;
}

/** One direction's sender: reassembly state plus what the handshake and history need. */
export class Endpoint extends Half implements EndpointFacts {
  declare peer: Endpoint;
  state: EndpointState = EndpointState.INACTIVE;
  isn = 0;
  packets = 0;
  synFrame = 0;
  finFrame = 0;
  rstFrame = 0;
  /** The acknowledgement number its first RST carried (meaningful when rstFrame is not 0). */
  rstAck = 0;
  /** Capture time of finFrame and rstFrame (meaningful when the frame is not 0). */
  finSec = 0;
  finNsec = 0;
  rstSec = 0;
  rstNsec = 0;
  /** History bookkeeping: letters recorded once (bit per letter), last seq per repeatable letter
   * (the t/g/w counts live in the Half's extra object: retransmissions and gaps are rare). */
  onceBits = 0;
  lastH = 0;
  lastF = 0;
  lastR = 0;
  /** First and highest acknowledgement number it sent (int32, valid when ackSent). */
  firstAck = 0;
  highAck = 0;
  /** Capture time of the segment that first carried highAck. */
  highAckSec = 0;
  highAckNsec = 0;

  /** It sent a segment with ACK (not a RST): firstAck and highAck hold. */
  get ackSent(): boolean {
    return (this.bits & EP_ACK_SENT) !== 0;
  }

  /** An acknowledgement number this endpoint sent. */
  noteAck(ack: number, sec: number, nsec: number): void {
    if ((this.bits & EP_ACK_SENT) === 0) {
      this.bits |= EP_ACK_SENT;
      this.firstAck = ack;
    } else if (seqDiff(ack, this.highAck) <= 0) return;
    this.highAck = ack;
    this.highAckSec = sec;
    this.highAckNsec = nsec;
  }

  /** Sequence numbers of this direction its peer acknowledged (see DirectionSummary.ackedByPeer). */
  ackedByPeer(): number | null {
    const p = this.peer;
    if (!p.ackSent) return null;
    const base = this.sentSyn || this.sentSynAck ? (this.isn + 1) | 0 : p.firstAck;
    const d = seqDiff(p.highAck, base);
    return d > 0 ? d : 0;
  }

  get sentSyn(): boolean {
    return (this.bits & EP_SENT_SYN) !== 0;
  }
  set sentSyn(v: boolean) {
    this.bits = v ? this.bits | EP_SENT_SYN : this.bits & ~EP_SENT_SYN;
  }
  get sentSynAck(): boolean {
    return (this.bits & EP_SENT_SYN_ACK) !== 0;
  }
  set sentSynAck(v: boolean) {
    this.bits = v ? this.bits | EP_SENT_SYN_ACK : this.bits & ~EP_SENT_SYN_ACK;
  }
  /** The first-payload `inspect` hook was offered this direction. */
  get inspected(): boolean {
    return (this.bits & EP_INSPECTED) !== 0;
  }
  set inspected(v: boolean) {
    this.bits = v ? this.bits | EP_INSPECTED : this.bits & ~EP_INSPECTED;
  }

  reset(): void {
    this.resetHalf();
    this.state = EndpointState.INACTIVE;
    this.isn = 0;
    this.packets = 0;
    this.synFrame = 0;
    this.finFrame = 0;
    this.rstFrame = 0;
    this.rstAck = 0;
    this.finSec = 0;
    this.finNsec = 0;
    this.rstSec = 0;
    this.rstNsec = 0;
    this.onceBits = 0;
    this.lastH = 0;
    this.lastF = 0;
    this.lastR = 0;
    this.firstAck = 0;
    this.highAck = 0;
    this.highAckSec = 0;
    this.highAckNsec = 0;
  }

}

/** A direction's rarely non-zero totals (DirRecord.rare): retransmissions, gaps, cuts, RSTs. */
class DirRare {
  constructor(
    readonly missedBytes: number,
    readonly unseenBytes: number,
    readonly snapCutBytes: number,
    readonly retransmittedBytes: number,
    readonly conflictingBytes: number,
    readonly outOfWindowSegments: number,
    readonly rstFrame: number,
    readonly rstSec: number,
    readonly rstNsec: number,
  ) {}
}

const NO_DIR_RARE = new DirRare(0, 0, 0, 0, 0, 0, 0, 0, 0);

/** One direction's final numbers (see ConnRecord): small integers, the rare ones behind `rare`. */
class DirRecord {
  readonly state: EndpointState;
  readonly packets: number;
  readonly bytes: number;
  readonly synFrame: number;
  readonly finFrame: number;
  readonly finSec: number;
  readonly finNsec: number;
  readonly ackSent: boolean;
  /** int32 (a small integer), shown unsigned. */
  readonly highAck: number;
  readonly highAckSec: number;
  readonly highAckNsec: number;
  /** -1: null. */
  readonly ackedByPeer: number;
  readonly rare: DirRare;

  constructor(e: Endpoint) {
    this.state = e.state;
    this.packets = e.packets;
    this.bytes = e.bytes;
    this.synFrame = e.synFrame;
    this.finFrame = e.finFrame;
    this.finSec = e.finSec;
    this.finNsec = e.finNsec;
    this.ackSent = e.ackSent;
    this.highAck = e.highAck;
    this.highAckSec = e.highAckSec;
    this.highAckNsec = e.highAckNsec;
    this.ackedByPeer = e.ackedByPeer() ?? -1;
    const missed = e.missedBytes;
    const unseen = e.unseenBytes;
    const cut = e.cutBytes;
    const retrans = e.retransBytes;
    const conflict = e.conflictBytes;
    const oow = e.outOfWindow;
    this.rare = missed === 0 && unseen === 0 && cut === 0 && retrans === 0 && conflict === 0 && oow === 0 && e.rstFrame === 0 ? NO_DIR_RARE : new DirRare(missed, unseen, cut, retrans, conflict, oow, e.rstFrame, e.rstSec, e.rstNsec);
  }

  summary(): DirectionSummary {
    const r = this.rare;
    return {
      state: ENDPOINT_STATE_NAMES[this.state],
      packets: this.packets,
      bytes: this.bytes,
      missedBytes: r.missedBytes,
      unseenBytes: r.unseenBytes,
      snapCutBytes: r.snapCutBytes,
      retransmittedBytes: r.retransmittedBytes,
      conflictingBytes: r.conflictingBytes,
      outOfWindowSegments: r.outOfWindowSegments,
      synFrame: this.synFrame || null,
      finFrame: this.finFrame || null,
      rstFrame: r.rstFrame || null,
      finTime: this.finFrame ? { sec: this.finSec, nsec: this.finNsec } : null,
      rstTime: r.rstFrame ? { sec: r.rstSec, nsec: r.rstNsec } : null,
      seen: this.packets > 0,
      highestAck: this.ackSent ? this.highAck >>> 0 : null,
      highestAckTime: this.ackSent ? { sec: this.highAckSec, nsec: this.highAckNsec } : null,
      ackedByPeer: this.ackedByPeer < 0 ? null : this.ackedByPeer,
    };
  }
}

/**
 * A connection's final numbers, taken as it leaves the tracker (the Conn is recycled): what a
 * ConnectionSummary is made of, in about half its memory and without its nested objects, for
 * whoever holds a connection a while before reporting it (the FTP stage's candidates). `summary()`
 * makes the ConnectionSummary (a new object each call); Conn.summary() is made through it.
 */
export class ConnRecord {
  readonly id: number;
  readonly ipVersion: 4 | 6;
  readonly origIp: string;
  readonly origPort: number;
  readonly respIp: string;
  readonly respPort: number;
  readonly startSec: number;
  readonly startNsec: number;
  readonly endSec: number;
  readonly endNsec: number;
  readonly state: ConnState;
  readonly history: string;
  readonly midStream: boolean;
  readonly followed: boolean;
  readonly open: boolean;
  readonly firstFrame: number;
  readonly lastFrame: number;
  /** The originator's first SYN; -1: none sent. */
  readonly synFrame: number;
  /** 0: none (as the Conn's fields). */
  readonly synAckFrame: number;
  readonly establishedFrame: number;
  readonly synAckProofFrame: number;
  readonly synSec: number;
  readonly synNsec: number;
  readonly synAckSec: number;
  readonly synAckNsec: number;
  readonly establishedSec: number;
  readonly establishedNsec: number;
  /** The connection's own rare fields (not reused: a recycled Conn starts with none). */
  readonly rare: ConnRare | null;
  readonly orig: DirRecord;
  readonly resp: DirRecord;
  readonly removal: RemovalReason;

  constructor(c: Conn, removal: RemovalReason) {
    this.id = c.id;
    this.ipVersion = c.ipVersion;
    this.origIp = c.origIp;
    this.origPort = c.origPort;
    this.respIp = c.respIp;
    this.respPort = c.respPort;
    this.startSec = c.firstSec;
    this.startNsec = c.firstNsec;
    this.endSec = c.lastSec;
    this.endNsec = c.lastNsec;
    this.state = c.state;
    this.history = c.history;
    this.midStream = c.midStream;
    this.followed = c.followed;
    this.open = !c.finished;
    this.firstFrame = c.firstFrame;
    this.lastFrame = c.lastFrame;
    this.synFrame = c.orig.sentSyn ? c.orig.synFrame : -1;
    this.synAckFrame = c.synAckFrame;
    this.establishedFrame = c.establishedFrame;
    this.synAckProofFrame = c.synAckProofFrame;
    this.synSec = c.synSec;
    this.synNsec = c.synNsec;
    this.synAckSec = c.synAckSec;
    this.synAckNsec = c.synAckNsec;
    this.establishedSec = c.establishedSec;
    this.establishedNsec = c.establishedNsec;
    this.rare = c.rare;
    this.orig = new DirRecord(c.orig);
    this.resp = new DirRecord(c.resp);
    this.removal = removal;
  }

  private retransmitTimes(): readonly CaptureTime[] {
    const t = this.rare === null ? null : this.rare.synRetransmitTimes;
    if (t === null) return NO_TIMES;
    const out: CaptureTime[] = [];
    for (let i = 0; i + 1 < t.length; i += 2) out.push({ sec: t[i], nsec: t[i + 1] });
    return out;
  }

  private handshake(): ConnectionSummary['handshake'] {
    const syn = this.synSec + this.synNsec / 1e9;
    const synAck = this.synAckSec + this.synAckNsec / 1e9;
    const est = this.establishedSec + this.establishedNsec / 1e9;
    return syn > 0 && synAck > 0 && est > 0 ? { synToSynAck: synAck - syn, synAckToAck: est - synAck } : null;
  }

  summary(): ConnectionSummary {
    const rare = this.rare;
    const o = this.orig;
    const r = this.resp;
    return {
      id: this.id,
      ipVersion: this.ipVersion,
      orig: { ip: this.origIp, port: this.origPort },
      resp: { ip: this.respIp, port: this.respPort },
      startSec: this.startSec,
      startNsec: this.startNsec,
      endSec: this.endSec,
      endNsec: this.endNsec,
      state: this.state,
      history: this.history,
      midStream: this.midStream,
      firstFrame: this.firstFrame,
      lastFrame: this.lastFrame,
      synFrame: this.synFrame < 0 ? null : this.synFrame,
      synRetransmits: rare === null ? 0 : rare.synRetransmits,
      synRetransmitFrames: rare === null || rare.synRetransmitFrames === null ? NO_FRAMES : rare.synRetransmitFrames.slice(),
      synAckFrame: this.synAckFrame || null,
      establishedFrame: this.establishedFrame || null,
      synTime: this.synFrame >= 0 ? { sec: this.synSec, nsec: this.synNsec } : null,
      synRetransmitTimes: this.retransmitTimes(),
      synAckTime: this.synAckFrame ? { sec: this.synAckSec, nsec: this.synAckNsec } : null,
      handshake: this.handshake(),
      origSent: o.summary(),
      respSent: r.summary(),
      open: this.open,
      synAckProofFrame: this.synAckProofFrame || null,
      oneSided: o.packets > 0 && r.packets === 0 ? 'orig' : r.packets > 0 && o.packets === 0 ? 'resp' : null,
      removal: this.removal,
      followed: this.followed,
      rejection: rare === null ? null : rare.rejection,
    };
  }
}

export class Conn implements StreamOwner, Connection {
  hashNext: Conn | null = null;
  lruPrev: Conn | null = null;
  lruNext: Conn | null = null;
  lruClass = -1;

  sink: StreamSink | null = null;
  /** Booleans packed in one field (C_*), read through the accessors below. */
  bits = 0;

  readonly orig: Endpoint;
  readonly resp: Endpoint;
  /** Recycled connections (tracker.ts): linked through hashNext while in the pool. */
  history = '';

  firstSec = 0;
  firstNsec = 0;
  firstFrame = 0;
  lastSec = 0;
  lastNsec = 0;
  lastFrame = 0;
  /** SYN retransmissions and ICMP rejections are rare: one pointer rather than four fields in
   * every connection (null when none was seen). */
  rare: ConnRare | null = null;
  establishedFrame = 0;
  synAckFrame = 0;
  /** See ConnectionSummary.synAckProofFrame (0: none). */
  synAckProofFrame = 0;
  /** Exact capture time of the originator's first SYN, of the first SYN+ACK and of the ACK that
   * completed the handshake (valid when orig.sentSyn / synAckFrame / establishedFrame say they
   * were seen). Integers: a double field would be a boxed number in every connection. */
  synSec = 0;
  synNsec = 0;
  synAckSec = 0;
  synAckNsec = 0;
  establishedSec = 0;
  establishedNsec = 0;

  id = 0;
  hash = 0;
  ipVersion: 4 | 6 = 4;
  o0 = 0;
  origPort = 0;
  r0 = 0;
  /** IPv6 only: address words 1-3 of the originator, then of the responder (IPv4 needs none:
   * six fewer fields in every IPv4 connection). */
  v6: Int32Array | null = null;
  respPort = 0;

  /** A blank connection; `init` gives it an identity (again, when it is recycled). */
  constructor(budget: ReassemblyBudget) {
    this.orig = new Endpoint(0, this, budget);
    this.resp = new Endpoint(1, this, budget);
    this.orig.peer = this.resp;
    this.resp.peer = this.orig;
  }

  init(id: number, hash: number, ipVersion: 4 | 6, o0: number, o1: number, o2: number, o3: number, origPort: number, r0: number, r1: number, r2: number, r3: number, respPort: number): void {
    this.id = id;
    this.hash = hash;
    this.ipVersion = ipVersion;
    this.o0 = o0;
    this.origPort = origPort;
    this.r0 = r0;
    if (ipVersion === 6) {
      const w = this.v6 ?? (this.v6 = new Int32Array(6));
      w[0] = o1;
      w[1] = o2;
      w[2] = o3;
      w[3] = r1;
      w[4] = r2;
      w[5] = r3;
    } else this.v6 = null;
    this.respPort = respPort;
    this.hashNext = null;
    this.lruPrev = null;
    this.lruNext = null;
    this.lruClass = -1;
    this.sink = null;
    this.bits = 0;
    this.orig.reset();
    this.resp.reset();
    this.history = '';
    this.firstSec = 0;
    this.firstNsec = 0;
    this.firstFrame = 0;
    this.lastSec = 0;
    this.lastNsec = 0;
    this.lastFrame = 0;
    this.rare = null;
    this.establishedFrame = 0;
    this.synAckFrame = 0;
    this.synAckProofFrame = 0;
    this.synSec = 0;
    this.synNsec = 0;
    this.synAckSec = 0;
    this.synAckNsec = 0;
    this.establishedSec = 0;
    this.establishedNsec = 0;
  }

  private flag(bit: number): boolean {
    return (this.bits & bit) !== 0;
  }
  private setFlag(bit: number, v: boolean): void {
    this.bits = v ? this.bits | bit : this.bits & ~bit;
  }
  get followed(): boolean {
    return this.flag(C_FOLLOWED);
  }
  set followed(v: boolean) {
    this.setFlag(C_FOLLOWED, v);
  }
  get sinkEnded(): boolean {
    return this.flag(C_SINK_ENDED);
  }
  set sinkEnded(v: boolean) {
    this.setFlag(C_SINK_ENDED, v);
  }
  get removed(): boolean {
    return this.flag(C_REMOVED);
  }
  set removed(v: boolean) {
    this.setFlag(C_REMOVED, v);
  }
  get midStream(): boolean {
    return this.flag(C_MID_STREAM);
  }
  set midStream(v: boolean) {
    this.setFlag(C_MID_STREAM, v);
  }
  get flipped(): boolean {
    return this.flag(C_FLIPPED);
  }
  set flipped(v: boolean) {
    this.setFlag(C_FLIPPED, v);
  }
  get establishedFired(): boolean {
    return this.flag(C_ESTABLISHED_FIRED);
  }
  set establishedFired(v: boolean) {
    this.setFlag(C_ESTABLISHED_FIRED, v);
  }
  get closedFired(): boolean {
    return this.flag(C_CLOSED_FIRED);
  }
  set closedFired(v: boolean) {
    this.setFlag(C_CLOSED_FIRED, v);
  }
  get resetFired(): boolean {
    return this.flag(C_RESET_FIRED);
  }
  set resetFired(v: boolean) {
    this.setFlag(C_RESET_FIRED, v);
  }

  get o1(): number {
    return this.v6 === null ? 0 : this.v6[0];
  }
  get o2(): number {
    return this.v6 === null ? 0 : this.v6[1];
  }
  get o3(): number {
    return this.v6 === null ? 0 : this.v6[2];
  }
  get r1(): number {
    return this.v6 === null ? 0 : this.v6[3];
  }
  get r2(): number {
    return this.v6 === null ? 0 : this.v6[4];
  }
  get r3(): number {
    return this.v6 === null ? 0 : this.v6[5];
  }

  get orig4(): number {
    return this.ipVersion === 4 ? this.o0 >>> 0 : 0;
  }
  get resp4(): number {
    return this.ipVersion === 4 ? this.r0 >>> 0 : 0;
  }
  get origIp(): string {
    if (this.ipVersion === 4) return formatIpv4(this.o0 >>> 0);
    return formatIp(wordsToBytes(this.ipVersion, this.o0, this.o1, this.o2, this.o3));
  }
  get respIp(): string {
    if (this.ipVersion === 4) return formatIpv4(this.r0 >>> 0);
    return formatIp(wordsToBytes(this.ipVersion, this.r0, this.r1, this.r2, this.r3));
  }
  get state(): ConnState {
    return connState(this.orig, this.resp);
  }
  get bytes(): number {
    return this.orig.bytes + this.resp.bytes;
  }

  endpoint(dir: Direction): Endpoint {
    return dir === 0 ? this.orig : this.resp;
  }

  /** Closed both ways or reset: a new SYN on the 4-tuple is a new connection. */
  get finished(): boolean {
    return this.resetFired || (this.orig.state === EndpointState.CLOSED && this.resp.state === EndpointState.CLOSED);
  }

  /** Appends a history letter: `upper` for the originator's direction, `lower` for the responder's. */
  letter(dir: Direction, upper: string, lower: string): void {
    this.history += dir === 0 ? upper : lower;
  }

  noteGap(dir: Direction): void {
    if (isPow10(++this.endpoint(dir).gCount)) this.letter(dir, 'G', 'g');
  }

  private rareFields(): ConnRare {
    let r = this.rare;
    if (r === null) r = this.rare = new ConnRare();
    return r;
  }
  get synRetransmits(): number {
    return this.rare === null ? 0 : this.rare.synRetransmits;
  }
  get rejection(): IcmpRejection | null {
    return this.rare === null ? null : this.rare.rejection;
  }
  set rejection(v: IcmpRejection | null) {
    if (v === null && this.rare === null) return;
    this.rareFields().rejection = v;
  }
  /** Capture time in seconds (one double, as the handshake timing is computed): 0 at time zero. */
  get synAt(): number {
    return this.synSec + this.synNsec / 1e9;
  }
  get synAckAt(): number {
    return this.synAckSec + this.synAckNsec / 1e9;
  }
  get establishedAt(): number {
    return this.establishedSec + this.establishedNsec / 1e9;
  }

  /** Returns false when the frame was counted but not listed (TCP_MAX_SYN_RETRANSMIT_FRAMES). */
  noteSynRetransmit(frame: number, sec = 0, nsec = 0): boolean {
    const r = this.rareFields();
    r.synRetransmits++;
    if (r.synRetransmitFrames === null) r.synRetransmitFrames = [];
    if (r.synRetransmitTimes === null) r.synRetransmitTimes = [];
    if (r.synRetransmitFrames.length >= TCP_MAX_SYN_RETRANSMIT_FRAMES) return false;
    r.synRetransmitFrames.push(frame);
    r.synRetransmitTimes.push(sec, nsec);
    return true;
  }

  /** Its final numbers as they stand (see ConnRecord). */
  record(removal: RemovalReason = 'end-of-capture'): ConnRecord {
    return new ConnRecord(this, removal);
  }

  summary(removal: RemovalReason = 'end-of-capture'): ConnectionSummary {
    return new ConnRecord(this, removal).summary();
  }

  acknowledged(dir: Direction, ack: number): number | null {
    const e = this.endpoint(dir);
    return e.ackSent ? seqDiff(ack, e.firstAck) : null;
  }
}
