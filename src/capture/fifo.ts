/**
 * A FIFO named as an input (`mkfifo f`, `<(zcat x.pcap.gz)`, `/dev/stdin` on a pipe), opened
 * without any thread waiting. open(2) of a FIFO for reading blocks until a writer comes; done in
 * Node's threadpool, that wait cannot be interrupted, and the process cannot even exit from a
 * signal handler (exit joins the threadpool's threads): `ftp-pcap analyze f` with no writer
 * ignored SIGTERM. O_NONBLOCK makes the open return at once, and the descriptor is read as a pipe
 * by the event loop (epoll, no thread blocked): data once a writer comes, the end when the last
 * writer closes, and SIGINT/SIGTERM handled all along.
 */
import { closeSync, constants, fstatSync, openSync, statSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Readable } from 'node:stream';

/** A stream of the FIFO at `path`, or null when `path` is no FIFO (or cannot be stat'ed: the
 * ordinary open reports that). */
export function openFifo(path: string): Readable | null {
  try {
    if (!statSync(path).isFIFO()) return null;
  } catch {
    return null;
  }
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  // Replaced by something else between stat and open: read as that, by the ordinary path.
  if (!fstatSync(fd).isFIFO()) {
    closeSync(fd);
    return null;
  }
  return new Socket({ fd, readable: true, writable: false });
}
