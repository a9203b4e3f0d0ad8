/**
 * Correlation as tables (CandidatePool, src/ftp/correlate.ts): announcements and connections in,
 * each session's matches and leftovers out. Hand-built: the announcements are what the control
 * channel parser records, the connections carry the fields correlation reads (endpoints, start,
 * whether a SYN-ACK came). Sessions are finalized in the order listed, every one of them open
 * (and its announcements made) before the first is finalized, as concurrent sessions are.
 */
import { describe, expect, it } from 'vitest';
import { CandidatePool, expectationsOf, halfPairs, type PoolSession } from '../../src/ftp/correlate.js';
import type { AnnouncementRec, HalfAnnouncement, TransferRec } from '../../src/ftp/session.js';
import type { ConnectionSummary } from '../../src/tcp/index.js';

/** `ip:port`. */
type Ep = string;

interface In {
  sessions: {
    client: Ep;
    server: Ep;
    start: number;
    end: number;
    /** PASV/EPSV/PORT...: the announced endpoint (null ip for EPSV: `null:port`), when made. */
    announce: { command: 'PASV' | 'EPSV' | 'PORT' | 'EPRT'; to: Ep; at: number }[];
  }[];
  /** Connections as they ended: from, to, start, and whether the responder answered the SYN. */
  connections: { from: Ep; to: Ep; start: number; answered?: boolean }[];
}

interface Want {
  /** Per session: per announcement the connection matched (`from->to`, null: none) and how. */
  matches: ({ conn: string; usedFallback: boolean; retries: number } | null)[][];
  /** Per session: the unexplained connections between its hosts it takes. */
  leftovers: string[][];
}

const KIND = { PASV: 'passive', EPSV: 'extended-passive', PORT: 'active', EPRT: 'extended-active' } as const;

function ep(s: Ep): { ip: string; port: number } {
  const i = s.lastIndexOf(':');
  return { ip: s.slice(0, i), port: Number(s.slice(i + 1)) };
}

const instant = (t: number) => ({ sec: Math.floor(t), nsec: Math.round((t - Math.floor(t)) * 1e9) });

function conn(id: number, c: In['connections'][number]): ConnectionSummary {
  const { sec, nsec } = instant(c.start);
  return { id, orig: ep(c.from), resp: ep(c.to), startSec: sec, startNsec: nsec, synAckFrame: c.answered === false ? null : id * 10 + 1 } as unknown as ConnectionSummary;
}

function run(input: In): Want {
  const counters = { candidates: 0, candidatesDropped: 0, rivalsCut: 0 };
  const pool = new CandidatePool(counters);
  const sessions = input.sessions.map((d) => {
    const announcements: AnnouncementRec[] = [];
    const s: PoolSession & { end: number } = { client: ep(d.client), server: ep(d.server), start: d.start, end: d.end, announcements, targets: [], cache: null };
    pool.open(s);
    d.announce.forEach((a, index) => {
      const to = ep(a.to);
      const rec: AnnouncementRec = { index, kind: KIND[a.command], command: a.command, ip: to.ip === 'null' ? null : to.ip, port: to.port, frame: 100 + index, at: instant(a.at), replyCode: null, replyFrame: null, transfer: null };
      announcements.push(rec);
      pool.announce(s, rec);
    });
    return s;
  });
  input.connections.forEach((c, i) => pool.addSummary(conn(i + 1, c), i + 1));
  const text = (c: ConnectionSummary) => `${c.orig.ip}:${c.orig.port}->${c.resp.ip}:${c.resp.port}`;
  const want: Want = { matches: [], leftovers: [] };
  for (const s of sessions) {
    const expectations = expectationsOf(s.announcements, s.client, s.server, s.end);
    const matches = pool.correlate(s, expectations, []);
    want.matches.push(expectations.map((e) => {
      const m = matches.get(e);
      return m ? { conn: text(m.conn), usedFallback: m.usedFallback, retries: m.retries } : null;
    }));
    want.leftovers.push(pool.leftovers(s).map(text));
    pool.close(s);
  }
  return want;
}

const C = '10.0.0.1:40000';
const S = '10.0.0.2:21';

const scenarios: { name: string; in: In; want: Want }[] = [
  {
    name: 'passive: the client connects to the announced endpoint',
    in: { sessions: [{ client: C, server: S, start: 1, end: 30, announce: [{ command: 'PASV', to: '10.0.0.2:5000', at: 10 }] }], connections: [{ from: '10.0.0.1:40001', to: '10.0.0.2:5000', start: 10.01 }] },
    want: { matches: [[{ conn: '10.0.0.1:40001->10.0.0.2:5000', usedFallback: false, retries: 0 }]], leftovers: [[]] },
  },
  {
    name: 'EPSV names no address: the control connection server address is meant',
    in: { sessions: [{ client: C, server: S, start: 1, end: 30, announce: [{ command: 'EPSV', to: 'null:5001', at: 10 }] }], connections: [{ from: '10.0.0.1:40001', to: '10.0.0.2:5001', start: 10.01 }] },
    want: { matches: [[{ conn: '10.0.0.1:40001->10.0.0.2:5001', usedFallback: false, retries: 0 }]], leftovers: [[]] },
  },
  {
    name: 'a 227 naming a private address behind NAT: the client used the control address (fallback)',
    in: { sessions: [{ client: C, server: S, start: 1, end: 30, announce: [{ command: 'PASV', to: '192.168.1.5:5000', at: 10 }] }], connections: [{ from: '10.0.0.1:40001', to: '10.0.0.2:5000', start: 10.01 }] },
    want: { matches: [[{ conn: '10.0.0.1:40001->10.0.0.2:5000', usedFallback: true, retries: 0 }]], leftovers: [[]] },
  },
  {
    name: 'active: the server connects back from port 20',
    in: { sessions: [{ client: C, server: S, start: 1, end: 30, announce: [{ command: 'PORT', to: '10.0.0.1:6000', at: 10 }] }], connections: [{ from: '10.0.0.2:20', to: '10.0.0.1:6000', start: 10.002 }] },
    want: { matches: [[{ conn: '10.0.0.2:20->10.0.0.1:6000', usedFallback: false, retries: 0 }]], leftovers: [[]] },
  },
  {
    name: 'the SYN read before the reply announcing it (within CORRELATE_BEFORE_SEC)',
    in: { sessions: [{ client: C, server: S, start: 1, end: 30, announce: [{ command: 'PASV', to: '10.0.0.2:5000', at: 10 }] }], connections: [{ from: '10.0.0.1:40001', to: '10.0.0.2:5000', start: 9.5 }] },
    want: { matches: [[{ conn: '10.0.0.1:40001->10.0.0.2:5000', usedFallback: false, retries: 0 }]], leftovers: [[]] },
  },
  {
    name: 'a connection well before the announcement is none of its, but a leftover of the session',
    in: { sessions: [{ client: C, server: S, start: 1, end: 30, announce: [{ command: 'PASV', to: '10.0.0.2:5000', at: 10 }] }], connections: [{ from: '10.0.0.1:40001', to: '10.0.0.2:5000', start: 7 }] },
    want: { matches: [[null]], leftovers: [['10.0.0.1:40001->10.0.0.2:5000']] },
  },
  {
    name: 'an unanswered active connection retried before the next announcement: one match, one retry',
    in: {
      sessions: [{ client: C, server: S, start: 1, end: 30, announce: [{ command: 'PORT', to: '10.0.0.1:6000', at: 10 }, { command: 'PORT', to: '10.0.0.1:6001', at: 20 }] }],
      connections: [
        { from: '10.0.0.2:20', to: '10.0.0.1:6000', start: 10.01, answered: false },
        { from: '10.0.0.2:20', to: '10.0.0.1:6000', start: 13, answered: false },
        { from: '10.0.0.2:20', to: '10.0.0.1:6001', start: 20.01 },
      ],
    },
    want: {
      matches: [[{ conn: '10.0.0.2:20->10.0.0.1:6000', usedFallback: false, retries: 1 }, { conn: '10.0.0.2:20->10.0.0.1:6001', usedFallback: false, retries: 0 }]],
      leftovers: [[]],
    },
  },
  {
    name: 'two announcements of one port: each takes the connection right after it',
    in: {
      sessions: [{ client: C, server: S, start: 1, end: 30, announce: [{ command: 'PASV', to: '10.0.0.2:5000', at: 10 }, { command: 'PASV', to: '10.0.0.2:5000', at: 12 }] }],
      connections: [
        { from: '10.0.0.1:40001', to: '10.0.0.2:5000', start: 10.01 },
        { from: '10.0.0.1:40002', to: '10.0.0.2:5000', start: 12.01 },
      ],
    },
    want: {
      matches: [[{ conn: '10.0.0.1:40001->10.0.0.2:5000', usedFallback: false, retries: 0 }, { conn: '10.0.0.1:40002->10.0.0.2:5000', usedFallback: false, retries: 0 }]],
      leftovers: [[]],
    },
  },
  {
    name: 'two clients on one passive port at once: each session takes its own client connection',
    in: {
      sessions: [
        { client: C, server: S, start: 1, end: 30, announce: [{ command: 'PASV', to: '10.0.0.2:5000', at: 10 }] },
        { client: '10.0.0.3:40000', server: S, start: 2, end: 30, announce: [{ command: 'PASV', to: '10.0.0.2:5000', at: 10.001 }] },
      ],
      connections: [
        { from: '10.0.0.3:40001', to: '10.0.0.2:5000', start: 10.002 },
        { from: '10.0.0.1:40001', to: '10.0.0.2:5000', start: 10.003 },
      ],
    },
    want: {
      matches: [[{ conn: '10.0.0.1:40001->10.0.0.2:5000', usedFallback: false, retries: 0 }], [{ conn: '10.0.0.3:40001->10.0.0.2:5000', usedFallback: false, retries: 0 }]],
      leftovers: [[], []],
    },
  },
  {
    name: 'no announcement (an encrypted control channel): connections between the hosts during the session are leftovers, others not',
    in: {
      sessions: [{ client: C, server: S, start: 5, end: 30, announce: [] }],
      connections: [
        { from: '10.0.0.1:40001', to: '10.0.0.2:5000', start: 4 },
        { from: '10.0.0.1:40002', to: '10.0.0.2:5001', start: 10 },
        { from: '10.0.0.9:40003', to: '10.0.0.2:5002', start: 10 },
        { from: '10.0.0.1:40004', to: '10.0.0.2:5003', start: 40 },
      ],
    },
    want: { matches: [[]], leftovers: [['10.0.0.1:40002->10.0.0.2:5001']] },
  },
  {
    name: 'a concurrent later session between the same hosts takes the unexplained connections made after it began',
    in: {
      sessions: [
        { client: C, server: S, start: 1, end: 30, announce: [] },
        { client: '10.0.0.1:40100', server: S, start: 10, end: 30, announce: [] },
      ],
      connections: [
        { from: '10.0.0.1:40001', to: '10.0.0.2:5000', start: 5 },
        { from: '10.0.0.1:40002', to: '10.0.0.2:5001', start: 15 },
      ],
    },
    want: { matches: [[], []], leftovers: [['10.0.0.1:40001->10.0.0.2:5000'], ['10.0.0.1:40002->10.0.0.2:5001']] },
  },
];

describe('correlation', () => {
  for (const sc of scenarios) {
    it(sc.name, () => {
      expect(run(sc.in)).toEqual(sc.want);
    });
  }
});

describe('strays: a one-sided session host\'s connections to a third address', () => {
  it('takes the connections from the host to other addresses while the session was open, none another session can claim', () => {
    const pool = new CandidatePool({ candidates: 0, candidatesDropped: 0, rivalsCut: 0 });
    const mk = (client: Ep, server: Ep, start: number, end: number): PoolSession & { end: number } => ({ client: ep(client), server: ep(server), start, end, announcements: [], targets: [], cache: null });
    const s = mk(C, S, 1, 30);
    const other = mk('10.0.0.1:40100', '10.0.0.5:21', 1, 60);
    pool.open(s);
    pool.open(other);
    const named: AnnouncementRec = { index: 0, kind: 'passive', command: 'PASV', ip: '10.0.0.6', port: 7000, frame: 100, at: instant(2), replyCode: 227, replyFrame: 100, transfer: null };
    (other.announcements as AnnouncementRec[]).push(named);
    pool.announce(other, named);
    const conns = [
      { from: '10.0.0.1:40001', to: '10.0.0.9:30000', start: 5 }, // a third address: a stray
      { from: '10.0.0.1:40002', to: '10.0.0.2:5000', start: 6 }, // the session's server: a leftover, not a stray
      { from: '10.0.0.1:40003', to: '10.0.0.5:6000', start: 7 }, // between the hosts of another open session
      { from: '10.0.0.1:40004', to: '10.0.0.6:7000', start: 8 }, // named by another session's announcement
      { from: '10.0.0.1:40005', to: '10.0.0.8:80', start: 50 }, // after the session (end + CORRELATE_AFTER_SEC)
      { from: '10.0.0.9:40006', to: '10.0.0.1:9000', start: 9 }, // opened by another host
    ];
    conns.forEach((c, i) => pool.addSummary(conn(i + 1, c), i + 1));
    const text = (c: ConnectionSummary) => `${c.orig.ip}:${c.orig.port}->${c.resp.ip}:${c.resp.port}`;
    expect(pool.strays(s, '10.0.0.1').map(text)).toEqual(['10.0.0.1:40001->10.0.0.9:30000']);
    // Taken once: another session's finalization does not see it again.
    pool.take(1);
    expect(pool.strays(s, '10.0.0.1')).toEqual([]);
  });
});

describe('halfPairs: half announcements and the connections their initiator opened elsewhere', () => {
  const half = (kind: HalfAnnouncement['kind'], at: number, o: Partial<HalfAnnouncement> = {}): HalfAnnouncement => ({ kind, named: true, frame: Math.round(at * 10), at: instant(at), refused: false, tried: false, reply: null, commandBytes: null, transfer: null, failure: null, ...o });
  const stray = (id: number, start: number): ConnectionSummary => conn(id, { from: '10.0.0.1:40001', to: `10.0.0.9:${30000 + id}`, start });
  const transfer = { final: null } as unknown as TransferRec;
  const rows: { name: string; halves: HalfAnnouncement[]; used?: number[]; strays: ConnectionSummary[]; want: (number | null)[] }[] = [
    { name: 'a PASV, then the client\'s SYN to another address: that is its connection (a 227 naming a NAT\'s inside address)', halves: [half('passive', 10, { transfer })], strays: [stray(1, 10.2)], want: [1] },
    { name: 'a PASV with no SYN after it: none (not-attempted where the client\'s side is captured)', halves: [half('passive', 10, { transfer })], strays: [stray(1, 9)], want: [null] },
    { name: 'a passive client connects after its PASV, never before', halves: [half('passive', 10, { transfer })], strays: [stray(1, 9.99)], want: [null] },
    { name: 'pyftpdlib connects on PORT and answers 200 once connected: an active half takes a connection just before it', halves: [half('active', 10, { named: false })], strays: [stray(1, 9.5)], want: [1] },
    { name: 'a connection after the next half announcement is the next one\'s', halves: [half('passive', 10, { transfer }), half('passive', 20, { transfer })], strays: [stray(1, 21)], want: [null, 1] },
    { name: 'a refused PORT (500 Illegal PORT command.) takes none', halves: [half('active', 10, { refused: true })], strays: [stray(1, 10.1)], want: [null] },
    { name: '421 Active data channel timed out: the attempt began before the reply, after the previous half', halves: [half('passive', 1, { transfer }), half('active', 10, { named: false, tried: true })], used: [0], strays: [stray(1, 6)], want: [1] },
    { name: 'a PASV superseded by the next before any transfer command, with no connection, is left out (LPSV refused, then PASV)', halves: [half('long-passive', 10), half('passive', 11, { transfer })], used: [1], strays: [], want: [] },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const used = new Set((r.used ?? []).map((i) => r.halves[i]));
      expect(halfPairs(r.halves, used, r.strays).map((p) => p.conn?.id ?? null)).toEqual(r.want);
    });
  }
});
