/**
 * `ftp-pcap connections` output: one record per TCP connection, like Zeek's conn.log, written as
 * each connection leaves the tracker, so memory stays bounded whatever the capture's size.
 * text: a `#`-prefixed header line, then one tab-separated line each; ndjson: one JSON object a
 * line; json: one array, a record per line.
 */
import { connLogLine, connectionJson, CONN_LOG_HEADER, type ConnectionSummary } from '../tcp/index.js';
import type { Out } from './out.js';

export const CONNECTION_FORMATS = ['text', 'json', 'ndjson'] as const;
export type ConnectionFormat = (typeof CONNECTION_FORMATS)[number];

export class ConnectionsWriter {
  private first = true;

  /** `live`: flush after each record (a live feed on stdin gets each as its connection ends). */
  constructor(
    private readonly out: Out,
    private readonly format: ConnectionFormat,
    private readonly live: boolean,
  ) {}

  begin(): void {
    if (this.format === 'text') this.out.write(`#${CONN_LOG_HEADER}\n`);
    if (this.format === 'json') this.out.write('[');
  }

  connection(s: ConnectionSummary): void {
    if (this.format === 'text') this.out.write(`${connLogLine(s)}\n`);
    else if (this.format === 'ndjson') this.out.write(`${JSON.stringify(connectionJson(s))}\n`);
    else this.out.write(`${this.first ? '\n' : ',\n'}  ${JSON.stringify(connectionJson(s))}`);
    this.first = false;
    if (this.live) this.out.flush();
  }

  end(): void {
    if (this.format === 'json') this.out.write(this.first ? ']\n' : '\n]\n');
  }
}
