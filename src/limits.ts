/**
 * Every bound ftp-pcap keeps to stay within memory and time, in one place (STYLE.md §5).
 * Each entry says its default, why, and what happens past it; each is counted when hit and
 * reported (JSON `limits`), never silently. Stages import from here; nothing else defines a bound.
 */

// --- capture
/** Largest record accepted. Real snap lengths are <= 262144 (tcpdump's default); anything larger
 * is a corrupt length field, reported as an error at its byte offset. */
export const MAX_RECORD_BYTES = 256 * 1024;
/** pcapng blocks may hold options and several records' worth of data; beyond this a block length
 * is taken as corrupt. */
export const MAX_PCAPNG_BLOCK_BYTES = 16 * 1024 * 1024;
/** Read size: 1 MiB reads are 2-3x faster than Node's 64 KiB default (measured, DESIGN.md §2). */
export const READ_CHUNK_BYTES = 1024 * 1024;
/** pcapng interfaces per section kept; past it the capture is reported as corrupt. */
export const MAX_PCAPNG_INTERFACES = 65536;

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

// --- info
/** Connections `info` follows (from their SYN) to spot FTP banners and count answers. Past it,
 * new connections are counted under `limits.info-max-flows` and not broken down by port. */
export const INFO_MAX_FLOWS = 200_000;
