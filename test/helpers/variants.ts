/**
 * A capture as real capture points record it, made from a clean two-sided capture held in memory
 * (test/helpers/capture.ts `readAll`): what a one-way SPAN, a tap on one link of an asymmetric
 * path, a capture that drops frames, or a SPAN session mirroring both ports of a switch gives.
 *
 * - `client-side`: only the packets the control clients sent (`tcpdump src host CLIENT`).
 * - `server-side`: every other packet (`tcpdump not src host CLIENT`).
 * - `loss-N`: each frame of a data connection dropped with probability 3%, seeded (mulberry32 with
 *   seed N): the network lost nothing, so nothing is retransmitted for the dropped frames. Control
 *   connections keep every frame: a reply the capture lost is gone for any tool, and the quality
 *   bar is about data connections.
 * - `span-dup`: every frame twice, the copy 10 µs later (ingress and egress of a mirrored port).
 *
 * Direction is read from the packets themselves (src/decode). The result is written as one classic
 * pcap (nanosecond) with the capture's link type; captures of several link types are not varied.
 */
import { CaptureRecord } from '../../src/capture/record.js';
import { Decoder, DecodeStatus, formatIp, newPacket } from '../../src/decode/index.js';
import type { PlainRecord } from './capture.js';
import { pcapFile } from './build.js';

export type VariantName = 'client-side' | 'server-side' | 'loss-1' | 'loss-2' | 'loss-3' | 'span-dup';
export const VARIANTS: readonly VariantName[] = ['client-side', 'server-side', 'loss-1', 'loss-2', 'loss-3', 'span-dup'];

/** The capture's probability of dropping a data connection's frame in the loss variants. */
export const LOSS_RATE = 0.03;

/** Small seeded PRNG (mulberry32): the same seed drops the same frames on every run. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Decoded {
  readonly rec: PlainRecord;
  /** Source address as text; null for what is not TCP/IP. */
  readonly src: string | null;
  /** A segment of a control connection (to or from one of `controlPorts`). */
  readonly control: boolean;
}

function decodeAll(records: readonly PlainRecord[], controlPorts: ReadonlySet<number>): Decoded[] {
  const decoder = new Decoder();
  const p = newPacket();
  const cr = new CaptureRecord();
  return records.map((rec) => {
    cr.buf = rec.data;
    cr.offset = 0;
    cr.capturedLength = rec.data.length;
    cr.originalLength = rec.originalLength;
    cr.linkType = rec.linkType;
    cr.tsSec = rec.tsSec;
    cr.tsNsec = rec.tsNsec;
    cr.frame = rec.frame;
    if (decoder.decode(cr, p) !== DecodeStatus.TCP) return { rec, src: null, control: false };
    return { rec, src: formatIp(p.src), control: controlPorts.has(p.srcPort) || controlPorts.has(p.dstPort) };
  });
}

/** The records of one variant. `clients` are the control clients' addresses. */
export function variantRecords(records: readonly PlainRecord[], name: VariantName, clients: ReadonlySet<string>, controlPorts: ReadonlySet<number> = new Set([21])): PlainRecord[] {
  const all = decodeAll(records, controlPorts);
  switch (name) {
    case 'client-side':
      return all.filter((d) => d.src !== null && clients.has(d.src)).map((d) => d.rec);
    case 'server-side':
      return all.filter((d) => d.src === null || !clients.has(d.src)).map((d) => d.rec);
    case 'span-dup':
      return all.flatMap((d) => {
        const ns = d.rec.tsNsec + 10_000;
        const copy = { ...d.rec, tsSec: d.rec.tsSec + Math.floor(ns / 1e9), tsNsec: ns % 1e9 };
        return [d.rec, copy];
      });
    default: {
      const rnd = mulberry32(Number(name.slice('loss-'.length)));
      return all.filter((d) => d.src === null || d.control || rnd() >= LOSS_RATE).map((d) => d.rec);
    }
  }
}

/** The records as a nanosecond pcap file; null when they are of several link types. */
export function toPcap(records: readonly PlainRecord[]): Buffer | null {
  const types = new Set(records.map((r) => r.linkType));
  if (types.size > 1) return null;
  return pcapFile({ nano: true, linkType: records[0]?.linkType ?? 1, records: records.map((r) => ({ sec: r.tsSec, frac: r.tsNsec, data: r.data, orig: r.originalLength })) });
}
