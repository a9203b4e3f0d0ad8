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
