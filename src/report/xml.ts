/**
 * `--format xml`: the JSON report (docs/design.md §4) as an XML 1.0 document, written with
 * fast-xml-parser's XMLBuilder and streamed: the opening elements, then each session as it is
 * finalized (one XMLBuilder call per session), then the sections known at the end, then the
 * closing element.
 *
 *   <?xml version="1.0" encoding="UTF-8"?>
 *   <ftpPcapReport>
 *   <tool>…</tool>
 *   <sessions>
 *   <session>…</session>            one per session, in start order
 *   </sessions>
 *   <inputs>…</inputs><complete>…</complete><findings>…</findings><summary>…</summary>
 *   <limits>…</limits><problems>…</problems>
 *   </ftpPcapReport>
 *
 * Mapping rules (the same model as JSON, so a reader can rebuild the JSON document exactly;
 * test/report/xml.test.ts does it for every lab capture):
 * - an object is an element with one child element per key, in the JSON key order; a key that is
 *   not an XML name (never the case in this model: keys are identifiers and docs/design.md §3 words)
 *   would be written as `<entry key="…">` (with `keyEnc="escaped"` and the escapes below, TAB and
 *   LF included since parsers turn them into spaces in attributes, when it needs them);
 * - an array is a wrapper element named after the key holding one element per item, named by the
 *   singular of the key (`dataConnections/dataConnection`, `replies/reply`, `frames/frame`, ...;
 *   `item` when there is none), so an empty array is an empty wrapper;
 * - `null` is an empty element with the attribute `nil="true"`; a missing optional key (a
 *   finding's `dataConnection`) is a missing element;
 * - numbers are their JSON text, booleans `true`/`false`; types are those of the JSON Schema
 *   (src/report/schema/analysis.schema.json), not marked in the XML;
 * - strings are text, `&`, `<`, `>`, `"` and `'` escaped as entities by XMLBuilder.
 *
 * Characters XML 1.0 cannot carry (§2.2 Char: C0 controls other than TAB and LF, lone surrogates,
 * U+FFFE, U+FFFF) and CR (which every parser turns into LF, §2.11) can occur in capture strings
 * (user names, file names, banners). A string holding any of them is written with the attribute
 * `enc="escaped"` and those characters as `\uXXXX` (4 hex digits, one UTF-16 unit each), a
 * backslash as `\\`; every other character is written as is. A string without the attribute is
 * the text itself, backslashes included. So the output is always well-formed and the original
 * string always comes back: decode `\\` → `\` and `\uXXXX` → that unit when `enc="escaped"`.
 */
// fast-xml-parser's XMLBuilder is this package (it re-exports it); imported directly, a run that
// writes no XML does not load the parser and its entity tables (~35 ms of every start).
import Builder, { type XMLBuilder } from 'fast-xml-builder';
import type { AnalysisReport, ReportSink, ReportTail } from './analysis.js';
import type { SessionReport } from '../ftp/model.js';
import type { Out } from './out.js';

export const XML_ROOT = 'ftpPcapReport';

/** Item element names of the model's arrays; any other array's items are `item`. */
export const XML_ITEMS: Readonly<Record<string, string>> = {
  sessions: 'session',
  dataConnections: 'dataConnection',
  findings: 'finding',
  frames: 'frame',
  replies: 'reply',
  inputs: 'input',
  interfaces: 'interface',
  linkTypes: 'linkType',
  errors: 'error',
  entries: 'entry',
};

// XML 1.0 §2.2 Char, minus CR (normalised away by parsers, §2.11). Lone surrogates: a high one not
// followed by a low one, a low one not preceded by a high one.
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000B-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
// eslint-disable-next-line no-control-regex
const UNSAFE_ALL = /\\|[\u0000-\u0008\u000B-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Whether a string needs `enc="escaped"`. */
export function needsEscape(s: string): boolean {
  return UNSAFE.test(s);
}

const hex4 = (c: string): string => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

/** The escaped text of a string that needs it. */
export function escapeText(s: string): string {
  return s.replace(UNSAFE_ALL, (c) => (c === '\\' ? '\\\\' : hex4(c)));
}

/** Attribute values are also normalised by parsers (TAB, LF → space, XML 1.0 §3.3.3). */
function attrValue(name: string, v: string): Record<string, string> {
  if (!needsEscape(v) && !/[\t\n]/.test(v)) return { [`@_${name}`]: v };
  return { [`@_${name}`]: escapeText(v).replace(/[\t\n]/g, hex4), [`@_${name}Enc`]: 'escaped' };
}

/** The original string of an `enc="escaped"` text. */
export function unescapeText(s: string): string {
  return s.replace(/\\(\\|u([0-9A-Fa-f]{4}))/g, (_m, c: string, hex: string | undefined) => (hex !== undefined ? String.fromCharCode(parseInt(hex, 16)) : c));
}

const NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
/** An XML name this writer uses as is (no colon: no namespaces; not starting with "xml"). */
export function isXmlName(k: string): boolean {
  return NAME.test(k) && !/^xml/i.test(k);
}

type XNode = string | number | boolean | { [k: string]: XNode | XNode[] };

function leaf(v: string): XNode {
  return needsEscape(v) ? { '#text': escapeText(v), '@_enc': 'escaped' } : v;
}

/** A JSON value as the object XMLBuilder writes (child elements, `@_` attributes, `#text`). */
function node(v: unknown, key: string): XNode {
  if (v === null || v === undefined) return { '@_nil': 'true' };
  if (typeof v === 'string') return leaf(v);
  if (typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) {
    const item = XML_ITEMS[key] ?? 'item';
    return v.length ? { [item]: v.map((x) => node(x, item)) } : '';
  }
  const out: { [k: string]: XNode | XNode[] } = {};
  const entries: XNode[] = [];
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (x === undefined) continue;
    if (isXmlName(k) && k !== 'entry') out[k] = node(x, k);
    else {
      const n = node(x, k);
      entries.push(typeof n === 'object' ? { ...n, ...attrValue('key', k) } : { '#text': n, ...attrValue('key', k) });
    }
  }
  if (entries.length) out.entry = entries;
  return out;
}

export function xmlBuilder(): XMLBuilder {
  return new Builder({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    textNodeName: '#text',
    format: true,
    indentBy: '  ',
    suppressEmptyNode: false,
    // `nil="true"` must keep its value: a bare attribute is not XML.
    suppressBooleanAttributes: false,
    processEntities: true,
  });
}

/** One element `<key>…</key>` for a JSON value. */
export function xmlElement(b: XMLBuilder, key: string, value: unknown): string {
  return String(b.build({ [key]: node(value, key) }));
}

export class XmlSink implements ReportSink {
  private readonly b = xmlBuilder();
  constructor(private readonly out: Out) {}
  begin(tool: AnalysisReport['tool']): void {
    this.out.write(`<?xml version="1.0" encoding="UTF-8"?>\n<${XML_ROOT}>\n`);
    this.out.write(xmlElement(this.b, 'tool', tool));
    this.out.write('<sessions>\n');
  }
  session(s: SessionReport): void {
    this.out.write(xmlElement(this.b, 'session', s));
  }
  end(tail: ReportTail): void {
    this.out.write('</sessions>\n');
    for (const [k, v] of Object.entries(tail)) this.out.write(xmlElement(this.b, k, v));
    this.out.write(`</${XML_ROOT}>\n`);
  }
}
