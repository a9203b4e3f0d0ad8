/**
 * Every bound ftp-pcap keeps to stay within memory and time, in one place, grouped by stage (see
 * docs/CONTRIBUTING.md). Each says what it protects and what reaching it costs; every one that can be
 * reached is counted in the report's `limits` section (docs/formats.md, Limits), never silently.
 * Stages import from here; nothing else defines a bound.
 */

// --- capture: reading files (src/capture/)
/** Largest record accepted. Real snap lengths are <= 262144 (tcpdump's default); anything larger
 * is a corrupt length field, reported as an error at its byte offset. */
export const MAX_RECORD_BYTES = 256 * 1024;
/** pcapng blocks may hold options and several records' worth of data; beyond this a block length
 * is taken as corrupt. */
export const MAX_PCAPNG_BLOCK_BYTES = 16 * 1024 * 1024;
/** pcapng interfaces per section kept (each holds its link type and timestamp resolution): a
 * hostile file must not describe millions. Past it the capture is reported as corrupt (`bad-block`)
 * at that block's offset. */
export const MAX_PCAPNG_INTERFACES = 65536;
/** pcapng interfaces listed in a report (`inputs[].interfaces`) over all sections. Every section
 * may describe its own: a file of 100,000 one-interface sections must not list them all (it took
 * `analyze` to 200 MB at 65,536). Past it they are counted, not listed. */
export const MAX_LISTED_INTERFACES = 10_000;
/** Bytes read from a file at once, into each of the reader's two buffers (an open file costs
 * 2.5 MiB with them): 1 MiB reads are 2-3x faster than Node's 64 KiB default; larger ones cost
 * memory per open file and gain little. */
export const READ_CHUNK_BYTES = 1024 * 1024;
/** A gzip member header's optional file name and comment are NUL-terminated and unbounded
 * (RFC 1952 §2.3.1); past this many header bytes the member is reported as corrupt instead of
 * buffering the rest of the file while looking for a NUL. */
export const MAX_GZIP_HEADER_BYTES = 64 * 1024;
/** Compressed bytes handed to zlib at once: deflate expands at most ~1032:1, so one step inflates
 * to at most ~1 MB held before the reader consumes it (a gzip bomb cannot grow memory past it). */
export const GZIP_STEP_BYTES = 1024;

// --- decode: IP fragment reassembly (src/decode/fragments.ts)
/** Incomplete fragmented datagrams held at once (IPv4 and IPv6 together). Linux holds up to
 * 4 MiB of fragments per namespace; 1024 datagrams covers any legitimate burst of fragmented
 * DNS/NFS/IKE traffic while capping a fragment flood. Past it the oldest pending datagram is
 * dropped and counted as `frag-dropped-limit`. */
export const MAX_FRAG_DATAGRAMS = 1024;
/** Fragment payload bytes held at once (copies: fragments outlive their capture record).
 * 8 MiB = 128 maximum-size datagrams. Past it the oldest pending datagrams are dropped until
 * the new fragment fits, each counted as `frag-dropped-limit`. */
export const MAX_FRAG_BYTES = 8 * 1024 * 1024;
/** Capture-time seconds an incomplete datagram waits for its missing fragments: Linux's
 * ipfrag_time default (RFC 791 suggests 15 s, RFC 8200 §4.5 60 s). An older one is dropped when
 * the next fragment arrives, counted as `frag-expired`. */
export const FRAG_TIMEOUT_SEC = 30;
/** Fragments held per datagram: 65535 bytes in 8-byte pieces is 8192, but no real stack sends
 * more than a few dozen; 512 keeps the per-fragment insertion cheap. Past it the datagram is
 * dropped, counted as `frag-dropped-limit`. */
export const MAX_FRAGS_PER_DATAGRAM = 512;

// --- decode: tunnels (src/decode/tunnel.ts)
/** IPv4 address texts kept (src/decode/address.ts: the last one made per slot of a hash of the
 * address; a power of two). ~50 bytes each: 200 KiB at most. A capture's connections come from
 * a few hosts, so most addresses are formatted once; past it a text is made again (no output
 * change, only time). */
export const IPV4_TEXT_CACHE = 4096;
/** Encapsulations (VXLAN, Geneve, GRE/ERSPAN, IP-in-IP, MPLS, PPPoE) one packet may nest. Real
 * mirrored traffic nests two or three (ERSPAN over GRE carrying a VLAN-tagged frame, VXLAN inside
 * a VLAN, MPLS under GRE); the bound keeps a crafted packet of tunnels inside tunnels from
 * recursing. Past it the packet is malformed, counted as `tunnel-too-deep`. */
export const MAX_TUNNEL_DEPTH = 8;

// --- tcp: connection tracking and reassembly (src/tcp/)
/** Connections tracked at once. A tracked connection costs ~0.7 KiB of heap (measured with
 * `node --expose-gc test/bench/tcp-micro.mjs`), so 32,768 stay under ~23 MiB (65,536 took a SYN flood's
 * peak RSS to 140 MB on its own, the whole memory budget of a run); an FTP capture rarely
 * holds more than a few thousand at once (closed ones leave after TCP_CLOSED_TIMEOUT_SEC). Past
 * it the idlest connection of the least useful class is evicted (closed ones first, then
 * unanswered SYNs, then live ones), its summary emitted with reason `capacity`, counted as
 * `evictedCapacity`. A SYN flood therefore costs bounded memory, and allocates nothing once the
 * table is full (removed connections are recycled). */
export const TCP_MAX_CONNECTIONS = 32_768;
/** Capture-time seconds an established or mid-stream connection may stay silent. Long: an FTP
 * control connection is silent during a whole transfer. 7200 s is the TCP keepalive default
 * (RFC 1122 §4.2.3.6), so a live idle connection would have shown a keepalive. Past it the
 * connection is removed (reason `idle`, counted as `evictedIdle`); later packets start a new,
 * mid-stream one. */
export const TCP_IDLE_TIMEOUT_SEC = 7200;
/** Capture-time seconds an unanswered connection attempt (SYN only) is kept. Linux retransmits a
 * SYN after 1, 2, 4, 8, 16, 32 s (tcp_syn_retries = 6), so 60 s keeps all retransmissions of one
 * attempt in one connection. Past it: removed (reason `idle`, counted as `evictedIdle`). */
export const TCP_ATTEMPT_TIMEOUT_SEC = 60;
/** Capture-time seconds a closed (FIN both ways) or reset connection is kept for late
 * retransmissions and ACKs. A new SYN on its 4-tuple starts a new connection at once anyway.
 * Past it: removed (reason `idle`, counted as `evictedIdle`). */
export const TCP_CLOSED_TIMEOUT_SEC = 10;
/** Closed (FIN both ways) or reset connections kept at once for TCP_CLOSED_TIMEOUT_SEC, of the
 * TCP_MAX_CONNECTIONS. Linux bounds its TIME-WAIT sockets the same way (`tcp_max_tw_buckets`,
 * "to prevent simple DoS attacks"): a flood of short connections (a scanner, a password spray,
 * 100,000 sessions in one second) would otherwise fill the table with finished ones, ~0.8 KiB
 * each. A busy FTP server's day (the many-sessions benchmark: ~520 connections a second) holds
 * ~5,000. Past it the idlest of them leaves early (reason `capacity`, counted as
 * `evictedCapacity`): a late retransmission or ACK of it then starts a new, mid-stream
 * connection. */
export const TCP_MAX_CLOSED_CONNECTIONS = 8192;
/** Out-of-order payload bytes kept per followed connection (both directions). Only followed
 * (FTP control) streams keep bytes; 1 MiB is far more than a control stream has in flight. Past it
 * the gap is skipped (reported to the stream as a gap; its bytes `unseenBytes` until an ACK
 * proves the capture missed them) and the buffer delivered, counted as `gapsConnectionCap`. */
export const TCP_MAX_OOO_BYTES_PER_CONNECTION = 1024 * 1024;
/** Out-of-order payload bytes kept by all connections together. Past it the direction whose gap
 * is oldest is flushed (gap skipped and reported) until the total fits, counted as
 * `gapsGlobalCap`. */
export const TCP_MAX_OOO_BYTES_TOTAL = 32 * 1024 * 1024;
/** Out-of-order ranges per direction, kept or only counted (an unfollowed connection keeps only
 * the range, ~80 bytes). 256 holes at once is beyond any real loss pattern (SACK reports 3-4).
 * Past it the direction is flushed, counted as `gapsSegmentCap`. */
export const TCP_MAX_OOO_SEGMENTS_PER_DIRECTION = 256;
/** Out-of-order ranges held by all connections together (~80 bytes each: 8 MiB). Past it the
 * oldest gap is flushed until it fits, counted as `gapsSegmentCap`. */
export const TCP_MAX_OOO_SEGMENTS_TOTAL = 100_000;
/** Capture-time seconds a gap may stay open while later bytes wait behind it. TCP's backed-off
 * retransmission timer reaches 60 s (RFC 6298 §2.5 allows that maximum), so a gap older than that
 * will not be filled. Past it the gap is skipped (`unseenBytes`, or `missedBytes` once an ACK
 * past it shows the receiver had them), counted as `gapsTimedOut`. */
export const TCP_GAP_TIMEOUT_SEC = 60;
/** A segment starting further than this from the next expected sequence number lies outside any
 * possible window (RFC 7323 §2.3: a window is at most 2^30 bytes). Such a segment is ignored,
 * counted as `outOfWindowSegments`. */
export const TCP_MAX_SEQ_JUMP = 1 << 30;
/** Farthest an acknowledgement may lie past the next expected byte and still mark the bytes
 * between as missed by the capture (the receiver had them). 16 MiB is more than a window of any
 * link a capture would lose whole; a farther ACK is rather a late packet of an earlier connection
 * on the same 4-tuple, and would invent a huge gap. Past it the ACK is ignored, counted as
 * `acksImplausible` (the gap, if real, is still skipped by TCP_GAP_TIMEOUT_SEC or at the end). */
export const TCP_MAX_ACK_SKIP = 16 * 1024 * 1024;
/** Subscriptions by 4-tuple waiting for their connection to appear. Past it the oldest waiting
 * subscription is dropped (its sink ended at once), counted as `followsDropped`. */
export const TCP_MAX_PENDING_FOLLOWS = 10_000;
/** Frame numbers of SYN retransmissions kept per connection (the FTP diagnosis quotes them, the
 * ladder draws them). Past it more retransmissions are counted in `synRetransmits`, their frames
 * not listed (`limits.tcp-syn-retransmit-frames-unlisted`). */
export const TCP_MAX_SYN_RETRANSMIT_FRAMES = 16;
/** Bytes of each followed direction's recent delivery kept to tell a faithful retransmission
 * from a conflicting one (same sequence numbers, other bytes: a bug, an attack, or a middlebox
 * rewriting). 4 KiB covers a few segments of a control stream; only followed streams keep it.
 * Older retransmissions are counted as retransmitted but cannot be compared: their bytes are
 * counted (`limits.tcp-retransmit-bytes-unchecked`). */
export const TCP_RETRANSMIT_CHECK_BYTES = 4096;

// --- ftp: control-channel parsing (src/ftp/lines.ts, replies.ts)
/** Longest control line kept (one direction of a control connection). RFC 959 sets no limit;
 * real commands and replies are under 1 KiB, paths under 4 KiB (Linux PATH_MAX), and Zeek
 * flags FTP arguments past 4 KiB. Past it the line is cut, delivered once flagged `truncated`,
 * and the rest of it skipped up to the next LF, counted as `truncated` — a 1 MB line costs
 * 8 KiB of memory, never more. */
export const MAX_CONTROL_LINE_BYTES = 8 * 1024;
/** Lines of one (multi-line) reply kept in its text. FEAT lists and welcome banners run to a few
 * dozen lines; a STAT listing can be long, but its text is not needed. Past it further lines are
 * counted (`Reply.lines`, `droppedLines`) but not kept; the final line is always kept. */
export const MAX_REPLY_LINES = 64;
/** Characters of one reply's text kept (all its kept lines joined). Past it lines are dropped as
 * above. */
export const MAX_REPLY_TEXT_CHARS = 16 * 1024;

// --- ftp: session state (src/ftp/session.ts)
/** Commands waiting for their replies (Zeek's ftp max_pending_commands is 20). Past it the oldest
 * is forgotten (counted): replies then match later commands, as on a desynchronised channel. */
export const MAX_PENDING_COMMANDS = 64;
/** Replies kept per transfer (its `replies`, with those of its ABOR) and login replies kept per
 * session (their frames in the login-failed finding). Past it they are counted
 * (`limits.ftp-replies-dropped`), not listed: a transfer's final reply still decides its outcome
 * and `loginAttempts` counts every attempt. Unmatched replies and malformed announcements, which no
 * report shows, are kept to the same number, uncounted. */
export const MAX_TRANSFER_REPLIES = 16;
/** Announcements (PORT/PASV...) kept per session: 100,000 PASV replies must not exhaust memory;
 * past it further announcements are counted, not correlated. Half announcements (a PASV command
 * or a 200 reply to PORT, for one-sided captures: session.ts) are kept to the same number, past it
 * dropped uncounted (their connections are then reported with mode `unknown`). */
export const MAX_SESSION_ANNOUNCEMENTS = 10_000;
/** SIZE replies remembered per session (to know the expected bytes of a later RETR). Past it a new
 * file's size is not remembered (`limits.ftp-sizes-dropped`): its RETR has no expected size from
 * SIZE (the 150 reply's "(N bytes)" still gives one); a file asked about again is updated. */
export const MAX_SIZE_CACHE = 1024;
/** Commands and replies kept per session for its timeline (`--format html`, `--ladder` only):
 * the first half and the last half are kept, those in between counted (`timeline.dropped`), so a
 * 100,000-command session still draws its start and its end. */
export const MAX_TIMELINE_ENTRIES = 2000;
/** Characters of one timeline entry's text (a command line, a reply with its lines), so a hostile
 * line costs no more than a normal one; past it cut, marked `…`. */
export const MAX_TIMELINE_TEXT_CHARS = 300;

// --- ftp: correlation, finalization and diagnosis (src/ftp/)
/** A data connection may start this long before the announcement that explains it (the reply
 * was reordered or retransmitted; pyftpdlib connects on PORT before replying 200). It bounds how
 * long a connection waits as a candidate; one started earlier is not matched to the announcement. */
export const CORRELATE_BEFORE_SEC = 2;
/** When a SYN that got no answer is sent again: RFC 6298 §2.1's initial retransmission timeout, 1 s
 * (Linux TCP_TIMEOUT_INIT; older stacks wait longer). An initiator that gives up its only SYN sooner
 * was stopped by an answer (a TCP reset, an ICMP destination unreachable): see diagnose.ts. */
export const SYN_FIRST_RETRY_SEC = 1;
/** ...and this long after the next announcement of its session (or the session's end); one
 * started later is not matched to it (a client that waits longer is rare and would be guessed). */
export const CORRELATE_AFTER_SEC = 5;
/** A connection that starts this little before its announcement's capture time still counts as
 * following it (timestamps of two interfaces, or of a reply and a SYN in the same millisecond). */
export const ANNOUNCE_SLACK_SEC = 0.005;
/** Announcements of other open sessions weighed against the best so far for one connection
 * (sessions sharing a passive port): past it the best so far wins, the connection counted once
 * (`limits.correlation-rivals-cut`). */
export const MAX_CORRELATE_RIVALS = 64;
/** Connections kept as correlation candidates (those touching a host of an FTP session). ~1.6 KiB
 * of heap each with their summary, ~3.4 KiB of peak RSS: 20,000 is ~70 MB (twice
 * MAX_SESSION_ANNOUNCEMENTS: two sessions at their announcement bound). Candidates no session
 * can claim any more (older than CORRELATE_BEFORE_SEC, named by no open announcement, not between an open session's hosts) are
 * swept out first; past the bound further candidates are counted (`limits.data-candidates-dropped`)
 * and not correlated — a SYN flood at 100,000/s to a host with an FTP session. */
export const MAX_DATA_CANDIDATES = 20_000;
/** Of MAX_DATA_CANDIDATES, those added while no open session could claim them (not between an
 * open session's hosts, to no announced endpoint): only an announcement still to come (a data SYN
 * read before its reordered 227) can, within CORRELATE_BEFORE_SEC. A few per second are real; a
 * SYN flood to random ports of an FTP server makes 100,000s. Past it such candidates are counted
 * (`limits.data-candidates-dropped`) and not kept. */
export const MAX_SPECULATIVE_CANDIDATES = 4096;
/** Candidates held before the first sweep for those no session can claim any more (then twice
 * those left after each sweep): a sweep walks every candidate, so it is amortised over as many
 * additions. It changes no answer (a swept candidate is one no session can claim); tests lower it
 * (AnalyzerOptions.candidateSweepFrom) to sweep a small capture. */
export const CANDIDATE_SWEEP_FROM = 1024;
/** A session is finalized (correlated, diagnosed, reported, then forgotten) this long in capture
 * time after its control connection closed or was reset: late replies (after a RST) and the last
 * packets of its data connections have arrived by then; data connections still open are
 * summarised as they are. It bounds how long a closed session is held in memory; a reply later
 * than this is not seen by its session. */
export const FINALIZE_GRACE_SEC = 2;
/** FTP sessions held at once whose control connection ended, waiting for FINALIZE_GRACE_SEC
 * (src/ftp/pressure.ts). Such a session costs ~10 KiB (its state, and its connection's
 * retransmission-check buffers until it is finalized), so 1,024 stay under ~10 MiB; a real server ends a few sessions a second, a scanner or a password
 * spray thousands (100,000 at one timestamp never see their grace pass). Past it the session that
 * ended first is finalized at once instead of FINALIZE_GRACE_SEC later, counted as
 * `ftp-sessions-finalized-early`: a reply or a data connection arriving after that is not seen by
 * its session (the connection is reported unexplained, or not at all). */
export const MAX_SESSIONS_IN_GRACE = 1024;
/** FTP sessions held at once, live and ended (each live one ~2-4 KiB besides its TCP connection:
 * 16,384 is ~64 MiB at most, and as many live control connections as a large server holds).
 * Past it an ended session is finalized early, else the oldest live one: its control connection
 * is no longer followed, and the report says what it held by then (its later commands, replies
 * and data connections are not seen). Counted as `ftp-sessions-finalized-early`. */
export const MAX_SESSIONS_HELD = 16_384;
/** Capture point inference: the handshake gap on one side must be this many times the other's
 * (lab captures, where a round trip is only ~30 us: 2.8-30x near the client, 1.3-2.2x near the server
 * and up to 1.8x the wrong way in 10-logins, ~1 on a router; real round trips are milliseconds). */
export const CAPTURE_POINT_RATIO = 2;
/** ...and the longer gap at least this long: below it a host's own SYN handling (20-50 us for
 * vsftpd's host in 10-logins) is as long as the round trip and says nothing about the path. */
export const CAPTURE_POINT_MIN_SEC = 100e-6;
/** Failed logins from one client address that make a `brute-force` finding (--brute-force): a
 * threshold, not a memory bound (clients are bounded by MAX_EVENT_CLIENT_SPANS). */
export const BRUTE_FORCE_FAILURES = 5;

// --- ftp: transferred files (--hash, --extract, --listings: src/ftp/payload.ts, extract.ts, listing.ts)
/** Bytes `--extract` writes over the whole run (default; `--extract-max-bytes` changes it). A
 * capture of a 10 Gbit/s link can carry more than the disk holds; past it a file is cut where the
 * bound fell and later files are not written, each counted (`limits.extract-files-cut`) and named
 * in the extract manifest. Hashes go on: the report still has them. */
export const EXTRACT_MAX_TOTAL_BYTES = 4 * 1024 * 1024 * 1024;
/** Spool files `--extract` keeps open at once. Every candidate data connection carrying bytes is
 * spooled until its session says what it was; a capture of many concurrent transfers would
 * otherwise run out of file descriptors (ulimit -n is often 1024). Past it the least recently
 * written one is closed and reopened when its next bytes come (not counted: nothing is lost). */
export const EXTRACT_MAX_OPEN_FILES = 128;
/** Bytes gathered per open spool file before one write(2) (the buffer starts at 4 KiB and doubles
 * up to this): a 1448-byte segment per system call would cost more than the hash. The write queue
 * is at most EXTRACT_MAX_OPEN_FILES x this, plus 4 KiB per spool not open. */
export const EXTRACT_WRITE_BYTES = 256 * 1024;
/** Characters of a name `--extract` derives from an FTP path (most file systems allow 255
 * bytes; room is left for a collision suffix). Longer names are cut in the middle, keeping the
 * extension (not counted: the manifest has the full path). */
export const EXTRACT_MAX_NAME_CHARS = 120;
/** Attempts at a free name (`name-2.ext`, `name-3.ext`...) before the session and connection ids
 * make one unique. The file system is the set of names taken: memory stays constant. */
export const EXTRACT_MAX_SUFFIX = 100;
/** Entries of one listing kept with `--listings` (a directory of 100,000 files is real). Past it
 * entries are counted (`limits.listing-entries-dropped`), not kept. */
export const LISTING_MAX_ENTRIES = 1000;
/** Bytes of one listing line parsed; past it the line is skipped and counted in the listing's
 * `unparsed`. A listing is a server's text: a hostile one is one line. */
export const LISTING_MAX_LINE_BYTES = 4096;

// --- report: strings, findings, writers (src/report/)
/** Capture strings in a session report (user, banner) are cut to this many characters: a hostile
 * 8 KiB USER line is kept whole by no report (limits are for memory as much as for readers). */
export const MAX_REPORT_FIELD_CHARS = 256;
/** ...and quoted in finding messages to this many. */
export const MESSAGE_USER_CHARS = 64;
/** Findings of one code listed per session; past it one more finding says how many were left out
 * (limits.findings-folded). A PORT storm makes thousands of identical findings. */
export const MAX_FINDINGS_PER_CODE = 100;
/** Clients whose first/last session times the NDJSON/OCSF writers keep, to time cross-session
 * findings (brute-force), and clients the analyze filters remember as shown (src/cli/filters.ts).
 * Past it only clients already kept or with a failed login are added
 * (a flood from a million sources must not keep a million entries); nothing is lost from the
 * report but the span of a later brute-force client's successful sessions. Sessions whose client
 * was not kept are counted (`limits.event-client-spans-skipped`, by the analyze command's filter
 * sink, which keeps the same clients as the writers). */
export const MAX_EVENT_CLIENT_SPANS = 16_384;
/** Connections `info` follows (from their SYN) to spot FTP banners and count answers (~0.3 KiB of
 * heap each, never released: 65,536 keeps a SYN flood's `info` at ~115 MB peak RSS; 200,000 took
 * it to ~195 MB; the 465 MB many.pcap benchmark has 23,935). Past it,
 * new connections are counted under `limits.info-max-flows` and not broken down by port. */
export const INFO_MAX_FLOWS = 65_536;

// --- report: the overview of a busy capture (src/report/overview.ts): fixed-size aggregates fed one
// session at a time. Past a bound what does not fit is counted in the overview's `dropped` (the
// overview is then a lower bound); the sessions themselves are reported whole.
/** Failure groups (outcome, finding, server, client /24 or /64). A scan of a whole address space
 * could make one per client network; past it new groups are counted (`overview-groups-dropped`). */
export const OVERVIEW_MAX_GROUPS = 1000;
/** Firewall rule keys (direction, server, client network), each with its merged port ranges; past
 * it new keys are counted (`overview-rules-dropped`). */
export const OVERVIEW_MAX_RULES = 1000;
/** Servers and clients counted per address (busiest hosts, mismatches, failed logins), each; a
 * flood from a million sources would otherwise hold a million rows. Past it, new addresses are
 * counted (`overview-servers-dropped`, `overview-clients-dropped`). */
export const OVERVIEW_MAX_HOSTS = 10_000;
/** Rows of the busiest servers and clients (and of mismatches, failed logins) shown. */
export const OVERVIEW_TOP_HOSTS = 10;
/** Example sessions kept per failure group (the earliest), and frames of the first one. */
export const OVERVIEW_EXAMPLES = 5;
export const OVERVIEW_EXAMPLE_FRAMES = 16;
/** Distinct client addresses listed in a group or rule; past it the smallest covering prefix (kept
 * exactly from the lowest and highest address) stands alone. Also announced addresses per host. */
export const OVERVIEW_GROUP_CLIENTS = 8;
/** Announced ports closer than this join one firewall rule's port range: a server's passive range
 * (vsftpd pasv_min_port..pasv_max_port) shows as the ports it handed out, with holes. */
export const OVERVIEW_RULE_PORT_GAP = 64;
/** Buckets of the timeline at most (their width is the smallest power of two seconds that fits). */
export const OVERVIEW_TIME_BUCKETS = 120;

/** Counters of the report's `limits` that lose nothing the analysis needs: the ordinary expiry of
 * idle state and details left unlisted. The text report shows them as statistics, apart from the
 * counters that did lose something. The JSON keeps them all in `limits` (a stable contract). */
export const LIMITS_NOT_LOSS: Readonly<Record<string, string>> = {
  // A connection idle past TCP_IDLE_TIMEOUT_SEC is finished as it stands: its summary is already
  // made, and traffic after the pause starts a new (mid-stream) connection.
  'tcp-evicted-idle': 'idle connections expired',
  // Every SYN retransmission is counted in synRetransmits; only the frame numbers past
  // TCP_MAX_SYN_RETRANSMIT_FRAMES are not listed.
  'tcp-syn-retransmit-frames-unlisted': 'SYN retransmission frames counted, not listed',
  // One finding per MAX_FINDINGS_PER_CODE says how many were folded into it.
  'findings-folded': 'repeated findings folded into a count',
};

// --- report: ladder diagrams and the HTML page (src/report/ladder.ts, html.ts)
/** Rows of one session's ladder (HTML and text): past it the first and last rows and those around
 * failures are kept, each left-out stretch drawn as one row saying what it held. A 10,000-command
 * session must not make a page a browser chokes on. */
export const LADDER_MAX_ROWS = 400;
/** Quiet transfers (completed, nothing failing around them) in a row that collapse into one row;
 * of such a run the first LADDER_COLLAPSE_KEEP_FIRST and the last LADDER_COLLAPSE_KEEP_LAST stay,
 * so the failures stand out; the collapsed row says how many it holds. */
export const LADDER_COLLAPSE_MIN = 5;
export const LADDER_COLLAPSE_KEEP_FIRST = 2;
export const LADDER_COLLAPSE_KEEP_LAST = 1;
/** Sessions drawn as ladders in one HTML page: failing ones, then others (the page is streamed,
 * so the first ones of each kind). Past these a session has its table row only. */
export const HTML_MAX_LADDERS_FAILING = 200;
export const HTML_MAX_LADDERS_OTHER = 50;
/** Rows of the page's session table (failing sessions first); past it counted. */
export const HTML_MAX_TABLE_ROWS = 5000;

// --- report: output files and stderr (src/report/out.ts, src/ftp/extract.ts, src/cli)
/** Fresh random names tried for a temporary file (`-o`, the extract manifest) before giving up:
 * each is 48 random bits, so a second attempt only happens when someone planted a file at a name
 * we drew; past it the run stops with one error line naming the user's path. */
export const OUTPUT_TEMP_ATTEMPTS = 8;
/** Symbolic links followed from `-o PATH` to the file written (Linux's own MAXSYMLINKS): past it
 * the path is refused as a loop (ELOOP), one error line. */
export const OUTPUT_MAX_SYMLINK_HOPS = 40;
/** Characters of one stderr line (an error naming a path from the command line or a capture,
 * escaped for the terminal): PATH_MAX is 4096 bytes; past it the line is cut with `…`. */
export const STDERR_LINE_MAX_CHARS = 4096;

// --- evidence captures (`--evidence DIR`; src/evidence/)
/** Frame bytes `--evidence` holds in memory over all connections. Every TCP connection's frames
 * are spooled from its first frame until the session that owns it is finalized (or until no
 * session can claim it any more); past this bound the oldest connections' frames move to the spool
 * files on disk (not counted: nothing is lost). */
export const EVIDENCE_MEMORY_BYTES = 16 * 1024 * 1024;
/** Frame bytes held in memory per connection before they move to disk (a transfer's bulk goes to
 * disk at once; a SYN and its retransmissions stay in memory). */
export const EVIDENCE_CONNECTION_MEMORY_BYTES = 64 * 1024;
/** Size of one spool file on disk: frames are appended to the current one, and a file none of
 * whose frames are still wanted is deleted, so disk use follows the connections still open. */
export const EVIDENCE_SEGMENT_BYTES = 64 * 1024 * 1024;
/** Bytes the spool files may hold at once. Past it frames are not spooled, counted
 * (`limits.evidence-frames-dropped`), and an evidence file that misses some says so in the index
 * (`complete: false`). */
export const EVIDENCE_MAX_SPOOL_BYTES = 4 * 1024 * 1024 * 1024;
/** Connections spooled at once (~0.2 KiB each besides their frames: a SYN flood must not hold a
 * million). Past it the oldest one's frames are dropped, counted
 * (`limits.evidence-connections-dropped`); a session that claims it has an incomplete file. */
export const EVIDENCE_MAX_CONNECTIONS = 100_000;
/** Seconds before a session's start that its control connection's first frames may lie (a banner
 * long after the SYN: a server's reverse DNS lookup): frames older than the oldest open session's
 * start by this, plus CORRELATE_BEFORE_SEC, can belong to no session and are dropped. */
export const EVIDENCE_LEAD_SEC = 60;
/** Frame bytes `--evidence` holds of IP fragments whose datagram is not yet whole (which
 * connection they belong to is known when the last one arrives): twice the decoder's own bound on
 * held fragment bytes (MAX_FRAG_BYTES), for the frames' headers. Past it the oldest are dropped,
 * counted (`limits.evidence-fragments-dropped`): the packet they made is then in its evidence file
 * without them. */
export const EVIDENCE_FRAGMENT_BYTES = 2 * MAX_FRAG_BYTES;
/** Bytes `--evidence` writes over the whole run. Past it a session's file is not written,
 * counted (`limits.evidence-files-skipped`) and marked in the index (`written: false`). */
export const EVIDENCE_MAX_TOTAL_BYTES = 4 * 1024 * 1024 * 1024;

// --- scale: shards and worker threads (src/scale/)
/** Addresses of FTP control connections a shard remembers, its own and other
 * shards' (connections touching one are kept as orphans for the merge). Past it, every connection
 * no session of the shard took is kept: bigger partial results, the same merged answer. */
export const MAX_SHARD_FTP_HOSTS = 65_536;
/** Endpoints announced by other shards' sessions that a shard remembers (src/ftp/foreign.ts): a
 * session here whose data connection one of them names leaves as pending, for the merge to weigh
 * both. Past it the oldest is forgotten (not counted): a connection it named may then be decided
 * in its own shard, as the session there explains it, where one process could give it to the other. */
export const MAX_SHARD_FOREIGN_TARGETS = 65_536;
/** Worker threads `--jobs` accepts: each holds a run's memory (the bounds above hold per thread);
 * a larger count is a usage error. */
export const MAX_JOBS = 64;

// --- memory: the heap governor of every run (src/memory.ts)
/** Packets between two looks at the heap by the memory governor (src/memory.ts): a look costs
 * ~1 us, so checking rarely keeps it off the per-packet budget; the heap may grow for this many
 * packets' garbage between looks. */
export const GOVERNOR_CHECK_PACKETS = 16_384;
/** The governor collects when the heap holds more than GOVERNOR_GROWTH times the live data plus
 * this: it bounds the garbage V8 lets pile up in the old generation (what lives as long as a
 * connection or a session: connection summaries held for correlation, session state). Measured on
 * many.pcap (465 MB, ~20 MB live, Node 20, --max-semi-space-size=2): 1.2x + 8 MiB forces 12 full
 * collections and peaks at 103-108 MB RSS; 1.5x + 16 MiB forces 6 and peaks at 116-120 MB; without
 * the governor V8 runs 3 of its own and peaks at 145 MB. */
export const GOVERNOR_MARGIN_BYTES = 8 * 1024 * 1024;
export const GOVERNOR_GROWTH = 1.2;

// --- comparison of capture points (src/compare/)
/** Handshake packets (SYN, SYN-ACK, RST) `--at` keeps per point to match connections across the
 * points: 40 bytes and a few strings each. Past it the rest of that point's handshakes are not
 * kept (`limits.compare-packets-dropped`): their connections show as not seen there. */
export const COMPARE_MAX_PACKETS = 1_000_000;
/** Attempts with one initial sequence number at a point past which `--at` does not match a
 * connection through a NAT by it (a flood tool's fixed ISN: the scan per connection would be
 * quadratic, and the match meaningless). Without NAT the 4-tuple and ISN still match. */
export const COMPARE_MAX_ISN_CANDIDATES = 64;
/** Capture points `--at` compares: every pair gets a clock offset. */
export const COMPARE_MAX_POINTS = 8;
