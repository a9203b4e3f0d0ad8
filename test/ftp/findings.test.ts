/**
 * Session findings as data (src/ftp/findings.ts): facts in, the report's findings out — their
 * severity, their sentence, their order, and the fold of a code past MAX_FINDINGS_PER_CODE.
 * Hand-built facts; the goldens show the same findings on the lab captures.
 */
import { describe, expect, it } from 'vitest';
import { sessionFindings, toFinding, type SessionFinding } from '../../src/ftp/findings.js';
import { MAX_FINDINGS_PER_CODE } from '../../src/limits.js';
import type { Finding } from '../../src/ftp/model.js';

const cases: { in: SessionFinding; want: Finding }[] = [
  {
    in: { fact: { code: 'pasv-address-mismatch', replyCode: 227, ip: '192.168.1.5', port: 5000, serverIp: '203.0.113.2', usedFallback: true }, frames: [12], dataConnection: 1 },
    want: {
      code: 'pasv-address-mismatch',
      severity: 'warning',
      message: 'The 227 reply announced 192.168.1.5:5000, but the control connection goes to 203.0.113.2: the server is behind NAT without its public address configured (vsftpd pasv_address, pure-ftpd -P, proftpd MasqueradeAddress); the client ignored the announced address.',
      frames: [12],
      dataConnection: 1,
    },
  },
  {
    in: { fact: { code: 'ftp-bounce', command: 'PORT', ip: '198.51.100.7', port: 25, replyCode: 500 }, frames: [9, null, 9], dataConnection: 2 },
    want: { code: 'ftp-bounce', severity: 'error', message: 'PORT asked the server to connect to 198.51.100.7:25, a host that is neither end of the control connection (RFC 2577 bounce); the server refused it (500).', frames: [9], dataConnection: 2 },
  },
  {
    in: { fact: { code: 'active-source-port', active: 3, from20: 0, ports: [40001, 40002, 40003] }, frames: [30, 20, 10] },
    want: { code: 'active-source-port', severity: 'info', message: 'The server opened its active data connections from ephemeral ports (40001, 40002, 40003), not port 20: a rule allowing only source port 20 would block them.', frames: [10, 20, 30] },
  },
  {
    in: { fact: { code: 'login-failed', failures: 1, user: null }, frames: [5] },
    want: { code: 'login-failed', severity: 'warning', message: '1 login attempt failed.', frames: [5] },
  },
  {
    in: { fact: { code: 'login-failed', failures: 3, user: 'admin' }, frames: [5, 7, 9] },
    want: { code: 'login-failed', severity: 'warning', message: '3 login attempts failed (last user "admin").', frames: [5, 7, 9] },
  },
  {
    in: { fact: { code: 'capture-gap', bytes: 100, dataConnection: null }, frames: [] },
    want: { code: 'capture-gap', severity: 'warning', message: 'The capture missed 100 bytes of the control connection: commands or replies may be missing.', frames: [] },
  },
  {
    in: { fact: { code: 'one-sided-capture', side: null, halfData: 2 }, frames: [40, 50] },
    want: { code: 'one-sided-capture', severity: 'info', message: '2 data connections were captured in one direction only: their outcome is read from the acknowledgements, FINs and resets of the side that was seen.', frames: [40, 50] },
  },
];

describe('session findings', () => {
  for (const c of cases) {
    it(`${c.in.fact.code}: ${c.want.message.slice(0, 40)}…`, () => {
      expect(toFinding(c.in)).toEqual(c.want);
    });
  }

  it('errors first, then warnings, then info; by first frame within a severity; observed order among equals', () => {
    const outcome: Finding = { code: 'data-refused', severity: 'error', message: 'refused', frames: [50], dataConnection: 1 };
    const { findings, folded } = sessionFindings([
      { fact: { code: 'anonymous-login', user: 'ftp' }, frames: [3] },
      { fact: { code: 'privileged-data-port', command: 'PORT', port: 80 }, frames: [20] },
      outcome,
      { fact: { code: 'capture-gap', bytes: 5, dataConnection: null }, frames: [] },
      { fact: { code: 'capture-gap', bytes: 7, dataConnection: 1 }, frames: [] },
    ]);
    expect(findings.map((f) => [f.severity, f.code, f.frames[0] ?? null])).toEqual([
      ['error', 'data-refused', 50],
      ['warning', 'capture-gap', null],
      ['warning', 'capture-gap', null],
      ['warning', 'privileged-data-port', 20],
      ['info', 'anonymous-login', 3],
    ]);
    expect(findings[1].message).toMatch(/control connection/);
    expect(folded).toBe(0);
  });

  it("a finding's frames: positive frame numbers, ascending, each once; the fact's own list left as it was", () => {
    const frames = [7, 0, 3, 7, null, 3, 12];
    const f = toFinding({ fact: { code: 'login-failed', failures: 2, user: null }, frames });
    expect(f.frames).toEqual([3, 7, 12]);
    expect(frames).toEqual([7, 0, 3, 7, null, 3, 12]);
  });

  it(`none, one, and exactly ${MAX_FINDINGS_PER_CODE} of one code: nothing folded`, () => {
    expect(sessionFindings([])).toEqual({ findings: [], folded: 0 });
    expect(sessionFindings([{ fact: { code: 'anonymous-login', user: 'ftp' }, frames: [3] }]).findings.map((f) => f.code)).toEqual(['anonymous-login']);
    const facts: SessionFinding[] = Array.from({ length: MAX_FINDINGS_PER_CODE }, (_, i) => ({ fact: { code: 'ftp-bounce', command: 'PORT', ip: '198.51.100.7', port: 1000 + i, replyCode: null }, frames: [MAX_FINDINGS_PER_CODE - i], dataConnection: i + 1 }));
    const { findings, folded } = sessionFindings(facts);
    expect(folded).toBe(0);
    expect(findings.map((f) => f.frames[0])).toEqual(Array.from({ length: MAX_FINDINGS_PER_CODE }, (_, i) => i + 1));
  });

  it(`past ${MAX_FINDINGS_PER_CODE} of one code the rest fold into one finding that says how many`, () => {
    const n = MAX_FINDINGS_PER_CODE + 3;
    const facts: SessionFinding[] = Array.from({ length: n }, (_, i) => ({ fact: { code: 'ftp-bounce', command: 'PORT', ip: '198.51.100.7', port: 1000 + i, replyCode: null }, frames: [i + 1], dataConnection: i + 1 }));
    const { findings, folded } = sessionFindings(facts);
    expect(folded).toBe(3);
    expect(findings).toHaveLength(MAX_FINDINGS_PER_CODE + 1);
    expect(findings[MAX_FINDINGS_PER_CODE]).toMatchObject({ code: 'ftp-bounce', severity: 'error', frames: [MAX_FINDINGS_PER_CODE + 1] });
    expect(findings[MAX_FINDINGS_PER_CODE].message).toBe(`3 more ftp-bounce findings in this session, left out (${MAX_FINDINGS_PER_CODE} are listed); the first of them: PORT asked the server to connect to 198.51.100.7:${1000 + MAX_FINDINGS_PER_CODE}, a host that is neither end of the control connection (RFC 2577 bounce).`);
  });
});
