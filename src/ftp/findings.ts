/**
 * A session's own findings (docs/design.md §3): what its announcements, its login, its capture and
 * its active data connections say beyond each data connection's outcome (diagnose.ts words those).
 *
 * Contract: a finding is built as data first — a `SessionFact` (its code and the facts it rests
 * on), its frames and the data connection it concerns — by the code that observes it; `sentence`
 * is the one place a fact becomes words, and `severity` the one place it gets its weight.
 * `sessionFindings` turns the facts into report findings in report order (errors first, then by
 * first frame) and folds a code past MAX_FINDINGS_PER_CODE into one finding that says how many.
 * Pure: nothing here keeps state; the folded count is returned for the analyzer's counters.
 */
import { MAX_FINDINGS_PER_CODE } from '../limits.js';
import { controlRefusedMessage, encryptedMessage, finding } from './diagnose.js';
import type { Endpoint, Finding } from './model.js';
import type { IcmpRejection } from '../tcp/index.js';

/** The facts of each session finding, by code. */
export type SessionFact =
  /** A 227/228 reply named another address than the control connection's server. */
  | { readonly code: 'pasv-address-mismatch'; readonly replyCode: number | null; readonly ip: string; readonly port: number; readonly serverIp: string; readonly usedFallback: boolean }
  /** PORT/EPRT/LPRT named another address than the control connection's client. */
  | { readonly code: 'port-address-mismatch'; readonly command: string; readonly ip: string; readonly port: number; readonly clientIp: string; readonly bounce: boolean; readonly usedFallback: boolean }
  /** PORT/EPRT/LPRT named a third, public host (RFC 2577 §2). */
  | { readonly code: 'ftp-bounce'; readonly command: string; readonly ip: string; readonly port: number; readonly replyCode: number | null }
  | { readonly code: 'privileged-data-port'; readonly command: string; readonly port: number }
  /** A connection between the session's hosts that no announcement explains. */
  | { readonly code: 'unmatched-data-connection'; readonly from: Endpoint; readonly to: Endpoint }
  /** Which source ports the server's active data connections came from. */
  | { readonly code: 'active-source-port'; readonly active: number; readonly from20: number; readonly ports: readonly number[] }
  /** `user` is already shortened for a message (MESSAGE_USER_CHARS). */
  | { readonly code: 'cleartext-credentials'; readonly user: string }
  | { readonly code: 'login-failed'; readonly failures: number; readonly user: string | null }
  | { readonly code: 'anonymous-login'; readonly user: string }
  | { readonly code: 'control-encrypted'; readonly mechanism: string | null; readonly clearAgainFrame: number | null; readonly protectedCommands: number }
  /** The control connection's SYN was refused (diagnose.ts refusedAtOnce): by the server's RST, or
   * by the ICMP rejection `rejection`; `syns`: the SYNs the client sent. */
  | { readonly code: 'control-refused'; readonly client: Endpoint; readonly server: Endpoint; readonly rejection: IcmpRejection | null; readonly syns: number }
  /** Bytes of the control connection (`dataConnection` null) or of a data connection missed. */
  | { readonly code: 'capture-gap'; readonly bytes: number; readonly dataConnection: number | null }
  /** One side of the control connection captured (`side`), or `halfData` data connections in one direction only. */
  | { readonly code: 'one-sided-capture'; readonly side: 'client' | 'server' | null; readonly halfData: number };

/** A fact with the frames that show it and the data connection it concerns. */
export interface SessionFinding {
  readonly fact: SessionFact;
  readonly frames: readonly (number | null | undefined)[];
  readonly dataConnection?: number;
}

type Severity = Finding['severity'];

const SEVERITY: Record<SessionFact['code'], Severity> = {
  'pasv-address-mismatch': 'warning',
  'port-address-mismatch': 'warning',
  'ftp-bounce': 'error',
  'privileged-data-port': 'warning',
  'unmatched-data-connection': 'warning',
  'active-source-port': 'info',
  'cleartext-credentials': 'warning',
  'login-failed': 'warning',
  'anonymous-login': 'info',
  'control-encrypted': 'info',
  'control-refused': 'error',
  'capture-gap': 'warning',
  'one-sided-capture': 'info',
};

export function severity(f: SessionFact): Severity {
  return SEVERITY[f.code];
}

/** The sentence a fact is reported with. */
export function sentence(f: SessionFact): string {
  switch (f.code) {
    case 'pasv-address-mismatch': {
      const why =
        f.ip === '0.0.0.0'
          ? `an unusable address (vsftpd's answer to PASV on an IPv6 control connection): clients must use the control connection's address, and old ones fail`
          : `the server is behind NAT without its public address configured (vsftpd pasv_address, pure-ftpd -P, proftpd MasqueradeAddress)`;
      return `The ${f.replyCode} reply announced ${f.ip}:${f.port}, but the control connection goes to ${f.serverIp}: ${why}${f.usedFallback ? '; the client ignored the announced address' : ''}.`;
    }
    case 'port-address-mismatch':
      return `${f.command} announced ${f.ip}:${f.port}, but the control connection comes from ${f.clientIp}: ${f.bounce ? 'a third host' : 'the client is behind NAT without an FTP-aware gateway'}${f.usedFallback ? `; the server connected to ${f.clientIp}:${f.port}, the control connection's client address` : ''}.`;
    case 'ftp-bounce':
      return `${f.command} asked the server to connect to ${f.ip}:${f.port}, a host that is neither end of the control connection (RFC 2577 bounce)${f.replyCode !== null && f.replyCode >= 500 ? `; the server refused it (${f.replyCode})` : ''}.`;
    case 'privileged-data-port':
      return `${f.command} announced the privileged port ${f.port} (RFC 2577).`;
    case 'unmatched-data-connection':
      return `A connection ${f.from.ip}:${f.from.port} -> ${f.to.ip}:${f.to.port} between the session's hosts is explained by no announcement.`;
    case 'active-source-port':
      return f.from20 === f.active
        ? `The server opened its active data connections from port 20.`
        : f.from20 === 0
          ? `The server opened its active data connections from ephemeral ports (${f.ports.slice(0, 5).join(', ')}), not port 20: a rule allowing only source port 20 would block them.`
          : `The server opened ${f.from20} of ${f.active} active data connections from port 20, the others from ephemeral ports.`;
    case 'cleartext-credentials':
      return `The password of ${JSON.stringify(f.user)} crossed the network in clear text (no AUTH TLS).`;
    case 'login-failed':
      return `${f.failures} login attempt${f.failures === 1 ? '' : 's'} failed${f.user ? ` (last user ${JSON.stringify(f.user)})` : ''}.`;
    case 'anonymous-login':
      return `Anonymous login accepted (user ${JSON.stringify(f.user)}).`;
    case 'control-encrypted':
      return encryptedMessage(f);
    case 'control-refused':
      return controlRefusedMessage(f);
    case 'capture-gap':
      return f.dataConnection === null ? `The capture missed ${f.bytes} bytes of the control connection: commands or replies may be missing.` : `The capture missed ${f.bytes} bytes of data connection ${f.dataConnection}.`;
    case 'one-sided-capture':
      if (f.side === 'client')
        return `Only the client's side of this session was captured (a one-way SPAN or tap, asymmetric routing): the server's replies are not in the capture, so modes are inferred from the client's PASV/EPSV/PORT/EPRT commands, a passive connection from the client's next SYN after its PASV/EPSV (to whatever address the reply named), deliveries from its ACKs, transfers' ends from its FINs and its next commands; a PASV/EPSV with no SYN after it is not-attempted, a SYN it gave up before retrying is refused (the answer travels toward the client); what its side cannot show is incomplete, not a failure.`;
      if (f.side === 'server')
        return `Only the server's side of this session was captured (a one-way SPAN or tap, asymmetric routing): the client's commands are not in the capture, so modes are inferred from the server's 227/229 replies and its replies to PORT/EPRT (200, or a refusal), an active connection from the server's next SYN after its 200 (to whatever address the command named; PORT or EPRT, where the reply names neither, from the command's length its ACKs count), transfers from its 150/226 replies, deliveries from its ACKs; a refused PORT/EPRT, or one accepted with no SYN after it, is not-attempted, a SYN it gave up with a 425 before retrying is refused; what its side cannot show is incomplete, not a failure.`;
      return `${f.halfData} data connection${f.halfData === 1 ? ' was' : 's were'} captured in one direction only: ${f.halfData === 1 ? 'its' : 'their'} outcome is read from the acknowledgements, FINs and resets of the side that was seen.`;
  }
}

/** A session finding as the report carries it. */
export function toFinding(f: SessionFinding): Finding {
  return finding(f.fact.code, severity(f.fact), sentence(f.fact), f.frames, f.dataConnection);
}

const ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/**
 * The session's findings in report order: `outcomes` (the data connections' outcome findings, in
 * data connection order) and `facts`, merged as they were observed (`all`, in that order), sorted
 * by severity then first frame (stable), then folded: past MAX_FINDINGS_PER_CODE findings of one
 * code (a PORT storm: 10,000 ftp-bounce findings) the rest become one finding that says how many,
 * so that a hostile session cannot make a report of tens of megabytes. `folded` counts those left out.
 */
export function sessionFindings(all: readonly (Finding | SessionFinding)[]): { findings: Finding[]; folded: number } {
  // By index, and none sorted or folded when there are none: an empty array is of another element
  // kind than one of findings, and handing both to the same calls sent their optimized code back
  // to be compiled again.
  const findings: Finding[] = [];
  for (let i = 0; i < all.length; i++) {
    const f = all[i];
    findings.push('fact' in f ? toFinding(f) : f);
  }
  if (findings.length < 2) return { findings, folded: 0 };
  findings.sort((a, b) => ORDER[a.severity] - ORDER[b.severity] || (a.frames[0] ?? 0) - (b.frames[0] ?? 0));
  return findings.length > MAX_FINDINGS_PER_CODE ? fold(findings) : { findings, folded: 0 };
}

function fold(findings: Finding[]): { findings: Finding[]; folded: number } {
  const seen = new Map<string, number>();
  const folded = new Map<string, { n: number; first: Finding }>();
  const out: Finding[] = [];
  let total = 0;
  for (let i = 0; i < findings.length; i++) {
    const f = findings[i];
    const n = (seen.get(f.code) ?? 0) + 1;
    seen.set(f.code, n);
    if (n <= MAX_FINDINGS_PER_CODE) out.push(f);
    else {
      const e = folded.get(f.code);
      if (e) e.n++;
      else folded.set(f.code, { n: 1, first: f });
    }
  }
  for (const [code, { n, first }] of folded) {
    total += n;
    out.push(finding(first.code, first.severity, `${n} more ${code} findings in this session, left out (${MAX_FINDINGS_PER_CODE} are listed); the first of them: ${first.message}`, first.frames.slice(0, 8)));
  }
  return { findings: out, folded: total };
}
