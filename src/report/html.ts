import type { AnalysisReport, ReportSink, ReportTail } from './analysis.js';
import type { SessionReport } from '../ftp/model.js';
import type { Out } from './out.js';

export class HtmlSink implements ReportSink {
  constructor(private readonly out: Out) {}
  begin(_tool: AnalysisReport['tool']): void {}
  session(_s: SessionReport): void {}
  end(_tail: ReportTail): void {
    this.out.write('<!DOCTYPE html>\n<html lang="en"><head><title>ftp-pcap</title></head><body></body></html>\n');
  }
}
