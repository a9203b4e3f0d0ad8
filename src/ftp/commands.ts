/**
 * FTP commands: the command-line grammar (RFC 959 §5.3) and a table of the commands the analyzer
 * knows, with their category and the transfer they start: the session (session.ts) looks a verb
 * up in COMMANDS to know whether it opens a data transfer and which way the data goes. The
 * section comments in the table name the RFC that defines each group.
 */

/**
 * What a command does:
 * - `access`: access control, RFC 959 §4.1.1 (USER, PASS, ACCT, CWD, CDUP, SMNT, REIN, QUIT)
 * - `transfer-params`: how data is sent, §4.1.2 (TYPE, STRU, MODE) plus REST, ALLO, OPTS
 * - `announce`: sets up a data connection (PORT, PASV, EPRT, EPSV, LPRT, LPSV)
 * - `transfer`: moves data over a data connection (RETR, STOR, STOU, APPE, LIST, NLST, MLSD)
 * - `service`: acts on files without a data connection (DELE, RNFR, MKD, ABOR, SITE...)
 * - `security`: RFC 2228 (AUTH, PBSZ, PROT, CCC, ADAT, MIC, CONF, ENC)
 * - `info`: asks about the server or a file (SYST, STAT, HELP, FEAT, SIZE, MDTM, MLST, PWD, NOOP)
 * - `other`: anything else (HOST, LANG, CLNT...)
 */
export type CommandCategory = 'access' | 'transfer-params' | 'service' | 'announce' | 'transfer' | 'security' | 'info' | 'other';

export type TransferKind = 'download' | 'upload' | 'listing';

export interface CommandInfo {
  readonly category: CommandCategory;
  /** For transfer commands: which way the data goes. */
  readonly transfer?: TransferKind;
}

export interface Command {
  /** Upper-cased verb. */
  readonly verb: string;
  /** Everything after the single separator (spaces inside and at the start of a path are
   * significant), '' when none or only spaces. */
  readonly arg: string;
}

/**
 * A command line `VERB[ arg]`: 3-4 letters, any case (RFC 959 §5.3.1 "command codes are four or
 * fewer alphabetic characters... upper and lower case are equivalent"), then a space (a tab is
 * tolerated) and the argument. Null when the line does not start with such a verb (noise, a
 * reply line sent the wrong way, a 5-letter word, a Telnet remnant).
 */
export function parseCommandLine(line: string): Command | null {
  const m = /^([A-Za-z]{3,4})(?:[ \t]([\s\S]*))?$/.exec(line);
  if (!m) return null;
  const rest = m[2] ?? '';
  return { verb: m[1].toUpperCase(), arg: /^[ \t]*$/.test(rest) ? '' : rest };
}

const cmd = (category: CommandCategory, transfer?: TransferKind): CommandInfo => (transfer ? { category, transfer } : { category });

/** Known commands by upper-case verb (parseCommandLine's `verb`). A null-prototype object, so only
 * these verbs are keys ("constructor" or "__proto__" from the wire finds nothing). */
export const COMMANDS: Readonly<Partial<Record<string, CommandInfo>>> = Object.freeze(Object.assign(Object.create(null) as Partial<Record<string, CommandInfo>>, {
  // RFC 959 §4.1.1 access control
  USER: cmd('access'),
  PASS: cmd('access'),
  ACCT: cmd('access'),
  CWD: cmd('access'),
  CDUP: cmd('access'),
  SMNT: cmd('access'),
  REIN: cmd('access'),
  QUIT: cmd('access'),
  // RFC 959 §4.1.2 transfer parameters
  PORT: cmd('announce'),
  PASV: cmd('announce'),
  TYPE: cmd('transfer-params'),
  STRU: cmd('transfer-params'),
  MODE: cmd('transfer-params'),
  // RFC 959 §4.1.3 service commands
  RETR: cmd('transfer', 'download'),
  STOR: cmd('transfer', 'upload'),
  STOU: cmd('transfer', 'upload'),
  APPE: cmd('transfer', 'upload'),
  ALLO: cmd('transfer-params'),
  REST: cmd('transfer-params'), // RFC 959 §4.1.3, RFC 3659 §5
  RNFR: cmd('service'),
  RNTO: cmd('service'),
  ABOR: cmd('service'),
  DELE: cmd('service'),
  RMD: cmd('service'),
  MKD: cmd('service'),
  PWD: cmd('info'),
  LIST: cmd('transfer', 'listing'),
  NLST: cmd('transfer', 'listing'),
  SITE: cmd('service'),
  SYST: cmd('info'),
  STAT: cmd('info'),
  HELP: cmd('info'),
  NOOP: cmd('info'),
  // RFC 775 experimental directory commands (still sent by some clients, answered by most servers)
  XCWD: cmd('access'),
  XCUP: cmd('access'),
  XMKD: cmd('service'),
  XRMD: cmd('service'),
  XPWD: cmd('info'),
  // RFC 1639 long addresses
  LPRT: cmd('announce'),
  LPSV: cmd('announce'),
  // RFC 2228 security extensions (RFC 4217: AUTH TLS, PBSZ 0, PROT P)
  AUTH: cmd('security'), // RFC 2228 §3, RFC 4217 §4
  ADAT: cmd('security'),
  PBSZ: cmd('security'), // RFC 2228 §3, RFC 4217 §8
  PROT: cmd('security'), // RFC 2228 §3, RFC 4217 §9
  CCC: cmd('security'), // RFC 2228 §3, RFC 4217 §12
  MIC: cmd('security'),
  CONF: cmd('security'),
  ENC: cmd('security'),
  // RFC 2389 feature negotiation
  FEAT: cmd('info'),
  OPTS: cmd('transfer-params'),
  // RFC 2428 extended addresses (EPSV ALL is answered 200)
  EPRT: cmd('announce'),
  EPSV: cmd('announce'),
  // RFC 2640 internationalization
  LANG: cmd('other'),
  // RFC 3659 extensions
  SIZE: cmd('info'),
  MDTM: cmd('info'),
  MLST: cmd('info'),
  MLSD: cmd('transfer', 'listing'),
  // RFC 7151 virtual hosts
  HOST: cmd('access'),
}));

/** Text shown instead of a secret argument. */
export const REDACTED = '********';

/**
 * The argument as it may be shown: PASS and ACCT arguments (and wu-ftpd's SITE PSWD old new)
 * become `********`; an empty argument stays empty, so "PASS with no password" is still visible.
 * The caller skips this when the user asked for `--show-passwords`.
 */
export function redactCommand(verb: string, arg: string): string {
  const v = verb.toUpperCase();
  if (arg === '') return arg;
  if (v === 'PASS' || v === 'ACCT') return REDACTED;
  if (v === 'SITE' && /^pswd(\s|$)/i.test(arg)) return `${arg.slice(0, 4)} ${REDACTED}`;
  return arg;
}

/**
 * A copy of `s` (at most `max` characters) that keeps nothing else alive: V8 makes `slice` of a
 * long string a view into it, so keeping 256 characters of a 4 KiB user name would keep all 4 KiB.
 * Copied through UTF-16 code units, which keeps the escaped bytes of text.ts (lone surrogates)
 * that a UTF-8 round trip would turn into U+FFFD.
 */
export function detach(s: string, max: number): string {
  const cut = s.length > max ? s.slice(0, max) : s;
  return cut.length < 13 ? cut : Buffer.from(cut, 'utf16le').toString('utf16le');
}
