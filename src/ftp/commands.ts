/**
 * FTP commands: the command-line grammar (RFC 959 §5.3) and a table of the commands the analyzer
 * knows, with their category, the transfer they start, the RFC that defines them and the reply
 * codes that RFC allows (RFC 959 §5.4 "Command-Reply Sequences" and the extensions' own lists),
 * so the session code can tell an answer from an unrelated reply.
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
  /** Defining document, e.g. "RFC 959 §4.1.3". */
  readonly rfc: string;
  /** Reply codes the RFC lists for it (preliminary, intermediate and final). */
  readonly replies: readonly number[];
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

// Reply lists, RFC 959 §5.4 (110 restart markers omitted: only with MODE B/C).
const DATA_DOWN = [125, 150, 226, 250, 421, 425, 426, 450, 451, 500, 501, 530, 550];
const DATA_UP = [125, 150, 226, 250, 421, 425, 426, 450, 451, 452, 500, 501, 530, 532, 551, 552, 553];
const LISTING = [125, 150, 226, 250, 421, 425, 426, 450, 451, 500, 501, 502, 530];
const PARAMS = [200, 421, 500, 501, 504, 530];
const FILE_ACTION = [250, 421, 500, 501, 502, 530, 550];

const cmd = (category: CommandCategory, rfc: string, replies: readonly number[], transfer?: TransferKind): CommandInfo =>
  transfer ? { category, transfer, rfc, replies } : { category, rfc, replies };

/** Known commands by upper-case verb. Look up with `commandInfo()` (own keys only). */
export const COMMANDS: Readonly<Partial<Record<string, CommandInfo>>> = Object.freeze({
  // RFC 959 §4.1.1 access control
  USER: cmd('access', 'RFC 959 §4.1.1', [230, 331, 332, 421, 500, 501, 530]),
  PASS: cmd('access', 'RFC 959 §4.1.1', [202, 230, 332, 421, 500, 501, 503, 530]),
  ACCT: cmd('access', 'RFC 959 §4.1.1', [202, 230, 421, 500, 501, 503, 530]),
  CWD: cmd('access', 'RFC 959 §4.1.1', FILE_ACTION),
  CDUP: cmd('access', 'RFC 959 §4.1.1', [200, 250, 421, 500, 501, 502, 530, 550]),
  SMNT: cmd('access', 'RFC 959 §4.1.1', [202, 250, 421, 500, 501, 502, 530, 550]),
  REIN: cmd('access', 'RFC 959 §4.1.1', [120, 220, 421, 500, 502]),
  QUIT: cmd('access', 'RFC 959 §4.1.1', [221, 500]),
  // RFC 959 §4.1.2 transfer parameters
  PORT: cmd('announce', 'RFC 959 §4.1.2', [200, 421, 500, 501, 530]),
  PASV: cmd('announce', 'RFC 959 §4.1.2', [227, 421, 500, 501, 502, 530]),
  TYPE: cmd('transfer-params', 'RFC 959 §4.1.2', PARAMS),
  STRU: cmd('transfer-params', 'RFC 959 §4.1.2', PARAMS),
  MODE: cmd('transfer-params', 'RFC 959 §4.1.2', PARAMS),
  // RFC 959 §4.1.3 service commands
  RETR: cmd('transfer', 'RFC 959 §4.1.3', DATA_DOWN, 'download'),
  STOR: cmd('transfer', 'RFC 959 §4.1.3', DATA_UP, 'upload'),
  STOU: cmd('transfer', 'RFC 959 §4.1.3', DATA_UP, 'upload'),
  APPE: cmd('transfer', 'RFC 959 §4.1.3', [...DATA_UP, 502, 550], 'upload'),
  ALLO: cmd('transfer-params', 'RFC 959 §4.1.3', [200, 202, 421, 500, 501, 504, 530]),
  REST: cmd('transfer-params', 'RFC 959 §4.1.3, RFC 3659 §5', [350, 421, 500, 501, 502, 530, 554]),
  RNFR: cmd('service', 'RFC 959 §4.1.3', [350, 421, 450, 500, 501, 502, 530, 550]),
  RNTO: cmd('service', 'RFC 959 §4.1.3', [250, 421, 500, 501, 502, 503, 530, 532, 553]),
  ABOR: cmd('service', 'RFC 959 §4.1.3', [225, 226, 421, 426, 500, 501, 502]),
  DELE: cmd('service', 'RFC 959 §4.1.3', [250, 421, 450, 500, 501, 502, 530, 550]),
  RMD: cmd('service', 'RFC 959 §4.1.3', FILE_ACTION),
  MKD: cmd('service', 'RFC 959 §4.1.3', [257, 421, 500, 501, 502, 530, 550]),
  PWD: cmd('info', 'RFC 959 §4.1.3', [257, 421, 500, 501, 502, 550]),
  LIST: cmd('transfer', 'RFC 959 §4.1.3', LISTING, 'listing'),
  NLST: cmd('transfer', 'RFC 959 §4.1.3', LISTING, 'listing'),
  SITE: cmd('service', 'RFC 959 §4.1.3', [200, 202, 500, 501, 530]),
  SYST: cmd('info', 'RFC 959 §4.1.3', [215, 421, 500, 501, 502]),
  STAT: cmd('info', 'RFC 959 §4.1.3', [211, 212, 213, 421, 450, 500, 501, 502, 530]),
  HELP: cmd('info', 'RFC 959 §4.1.3', [211, 214, 421, 500, 501, 502]),
  NOOP: cmd('info', 'RFC 959 §4.1.3', [200, 421, 500]),
  // RFC 775 experimental directory commands (still sent by some clients, answered by most servers)
  XCWD: cmd('access', 'RFC 775', FILE_ACTION),
  XCUP: cmd('access', 'RFC 775', [200, 250, 421, 500, 501, 502, 530, 550]),
  XMKD: cmd('service', 'RFC 775', [257, 421, 500, 501, 502, 530, 550]),
  XRMD: cmd('service', 'RFC 775', FILE_ACTION),
  XPWD: cmd('info', 'RFC 775', [257, 421, 500, 501, 502, 550]),
  // RFC 1639 long addresses
  LPRT: cmd('announce', 'RFC 1639', [200, 421, 500, 501, 521, 530]),
  LPSV: cmd('announce', 'RFC 1639', [228, 421, 500, 501, 502, 530]),
  // RFC 2228 security extensions (RFC 4217: AUTH TLS, PBSZ 0, PROT P)
  AUTH: cmd('security', 'RFC 2228 §3, RFC 4217 §4', [234, 334, 421, 431, 500, 501, 502, 504, 534]),
  ADAT: cmd('security', 'RFC 2228 §3', [235, 335, 421, 501, 503, 535]),
  PBSZ: cmd('security', 'RFC 2228 §3, RFC 4217 §8', [200, 421, 500, 501, 502, 503, 530]),
  PROT: cmd('security', 'RFC 2228 §3, RFC 4217 §9', [200, 421, 431, 500, 501, 502, 503, 504, 530, 534, 536]),
  CCC: cmd('security', 'RFC 2228 §3, RFC 4217 §12', [200, 421, 500, 502, 533, 534]),
  MIC: cmd('security', 'RFC 2228 §3', [421, 500, 501, 502, 533, 535, 537]),
  CONF: cmd('security', 'RFC 2228 §3', [421, 500, 501, 502, 533, 535, 537]),
  ENC: cmd('security', 'RFC 2228 §3', [421, 500, 501, 502, 533, 535, 537]),
  // RFC 2389 feature negotiation
  FEAT: cmd('info', 'RFC 2389 §3', [211, 500, 502]),
  OPTS: cmd('transfer-params', 'RFC 2389 §4', [200, 451, 500, 501, 502]),
  // RFC 2428 extended addresses (EPSV ALL is answered 200)
  EPRT: cmd('announce', 'RFC 2428 §2', [200, 421, 500, 501, 522, 530]),
  EPSV: cmd('announce', 'RFC 2428 §3', [200, 229, 421, 500, 501, 502, 522, 530]),
  // RFC 2640 internationalization
  LANG: cmd('other', 'RFC 2640 §4', [200, 421, 500, 501, 502, 504]),
  // RFC 3659 extensions
  SIZE: cmd('info', 'RFC 3659 §4', [213, 421, 500, 501, 502, 550]),
  MDTM: cmd('info', 'RFC 3659 §3', [213, 421, 500, 501, 502, 550]),
  MLST: cmd('info', 'RFC 3659 §7', [250, 421, 500, 501, 502, 530, 550]),
  MLSD: cmd('transfer', 'RFC 3659 §7', [...LISTING, 550], 'listing'),
  // RFC 7151 virtual hosts
  HOST: cmd('access', 'RFC 7151', [220, 421, 500, 501, 502, 503, 504, 530]),
});

/** The table entry for a verb (any case), or undefined for an unknown command. */
export function commandInfo(verb: string): CommandInfo | undefined {
  const v = verb.toUpperCase();
  return Object.hasOwn(COMMANDS, v) ? COMMANDS[v] : undefined;
}

/** Which way a transfer command moves data, or null if the verb does not start a transfer. */
export function transferKind(verb: string): TransferKind | null {
  return commandInfo(verb)?.transfer ?? null;
}

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
