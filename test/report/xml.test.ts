/**
 * `--format xml` (src/report/xml.ts): for every lab capture the XML parses back (fast-xml-parser's
 * XMLParser) into the JSON report of the same capture, by the documented rules: wrappers for
 * arrays, `nil="true"` for null, numbers and booleans as their JSON text (compared as text: the
 * types are the JSON Schema's), `enc="escaped"` strings decoded. A hand-built report whose strings
 * hold `<`, `&`, quotes, NUL, ESC, CR, U+FFFE and lone surrogates stays well-formed XML 1.0 and
 * comes back intact. Goldens in test/golden/siem/*.xml.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { XmlSink, XML_ITEMS, XML_ROOT, unescapeText, escapeText, needsEscape } from '../../src/report/xml.js';
import { LAB, GOLDEN_CAPTURES, analyze, analyzeLab, jsonReport, golden, isObject, MemoryOut, handBuiltSession, handBuiltTail, NASTY, TOOL, VERSION, type LabCapture } from './siem.js';

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  textNodeName: '#text',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
});

/** Keys whose value is an array in the model (the item table; in `summary` they are counts/maps). */
const ARRAY_KEYS = new Set(Object.keys(XML_ITEMS));
/** Keys whose value is an object in the model (an empty one is an empty element, like ""). */
const OBJECT_KEYS = new Set(['tool', 'client', 'server', 'announced', 'from', 'to', 'tcp', 'summary', 'byOutcome', 'byMode', 'limits', 'problems']);

type Kind = 'array' | 'object' | 'scalar';

/** What the model holds at `key` under `parent` (the JSON Schema's knowledge, which the XML leaves
 * to its reader): an empty element is then [], {} or "". */
function kindOf(parent: string, key: string): Kind {
  if (parent === 'summary') return key === 'findings' || key === 'byOutcome' || key === 'byMode' ? 'object' : 'scalar';
  if (ARRAY_KEYS.has(key)) return 'array';
  return OBJECT_KEYS.has(key) ? 'object' : 'scalar';
}

/** The JSON value an element stands for, all scalars as text. */
function decode(x: unknown, kind: Kind, key: string): unknown {
  if (isObject(x) && x['@_nil'] === 'true') return null;
  if (kind === 'array') {
    if (x === '' || (isObject(x) && Object.keys(x).every((k) => k === '#text'))) return [];
    const item = XML_ITEMS[key] ?? 'item';
    const v = (x as Record<string, unknown>)[item];
    return (Array.isArray(v) ? v : [v]).map((i) => decode(i, item === 'frame' || item === 'reply' ? 'scalar' : 'object', item));
  }
  if (typeof x === 'string') return kind === 'object' && x.trim() === '' ? {} : x;
  if (!isObject(x)) throw new Error(`unexpected ${JSON.stringify(x)}`);
  if (x['@_enc'] === 'escaped') return unescapeText(String(x['#text'] ?? ''));
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(x).filter((a) => a !== '#text' && !a.startsWith('@_'))) {
    if (k === 'entry') {
      const entries = Array.isArray(x.entry) ? x.entry : [x.entry];
      for (const e of entries as Record<string, unknown>[]) {
        const name = e['@_keyEnc'] === 'escaped' ? unescapeText(String(e['@_key'])) : String(e['@_key']);
        const rest = Object.fromEntries(Object.entries(e).filter(([a]) => a !== '@_key' && a !== '@_keyEnc'));
        out[name] = decode(Object.keys(rest).length === 1 && '#text' in rest ? rest['#text'] : rest, 'scalar', name);
      }
      continue;
    }
    out[k] = decode(x[k], kindOf(key, k), k);
  }
  return out;
}

/** The JSON value with every scalar as its JSON text (the XML's type rule). */
function asText(v: unknown): unknown {
  if (v === null) return null;
  if (Array.isArray(v)) return v.map(asText);
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, asText(x)]));
  return String(v);
}

/** The whole document back as the JSON report (scalars as text). */
function parseReport(xml: string): Record<string, unknown> {
  const doc = parser.parse(xml) as Record<string, unknown>;
  const root = doc[XML_ROOT];
  return decode(root, 'object', XML_ROOT) as Record<string, unknown>;
}

/** Characters outside XML 1.0's Char production (§2.2), and CR (normalised by parsers). */
// eslint-disable-next-line no-control-regex
const NOT_XML = /[\u0000-\u0008\u000B-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function wellFormed(xml: string): void {
  expect(XMLValidator.validate(xml)).toBe(true);
  expect(NOT_XML.test(xml)).toBe(false);
  expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
  // UTF-8 round trip: no lone surrogate reaches the bytes.
  expect(Buffer.from(xml, 'utf8').toString('utf8')).toBe(xml);
}

describe('xml: the JSON model for every lab capture', () => {
  beforeAll(({}, suite) => analyzeLab('xml', suite), 300_000);
  for (const c of LAB) it(c.name, async () => runCapture(c));
});

async function runCapture(c: LabCapture): Promise<void> {
  const xml = analyze('xml', c);
  wellFormed(xml);
  const report = await jsonReport(c, VERSION);
  const back = parseReport(xml);
  expect(back).toEqual(asText(report));
  // Same key order as the JSON document's sections and sessions.
  expect(Object.keys(back)).toEqual(['tool', 'sessions', ...Object.keys(report).filter((k) => k !== 'tool' && k !== 'sessions')]);
  if (GOLDEN_CAPTURES.includes(c.name)) golden(c.name, 'xml', xml.replace(`<version>${report.tool.version}</version>`, '<version>&lt;version&gt;</version>'));
}

describe('xml: encoding of characters XML 1.0 cannot carry', () => {
  it('escapes only what it must, and reverses exactly', () => {
    expect(needsEscape('plain <&> "quotes" \\ backslash\ttab\nnewline')).toBe(false);
    for (const s of ['\u0000', '\u001b', '\r', '\uFFFE', '\uFFFF', '\ud800', '\udc00', 'a\ud800b', '\udc00\ud800']) expect(needsEscape(s), JSON.stringify(s)).toBe(true);
    expect(needsEscape('😀')).toBe(false);
    expect(escapeText('a\\b\u0000c\r\n\ud800😀')).toBe('a\\\\b\\u0000c\\u000D\n\\uD800😀');
    for (const s of Object.values(NASTY)) expect(unescapeText(escapeText(s))).toBe(s);
  });

  it('a hand-built report with hostile strings is well-formed and round-trips', () => {
    const out = new MemoryOut();
    const sink = new XmlSink(out.asOut());
    const s = handBuiltSession();
    const tail = handBuiltTail();
    sink.begin(TOOL);
    sink.session(s);
    // Streamed: the session is written before the end of the capture.
    expect(out.text).toContain('</session>');
    expect(out.text).not.toContain(`</${XML_ROOT}>`);
    sink.end(tail);
    const xml = out.text;
    wellFormed(xml);
    expect(xml).toContain('enc="escaped"');
    expect(xml).toContain('keyEnc="escaped"');
    expect(xml).not.toContain('<script>');
    expect(parseReport(xml)).toEqual(asText({ tool: TOOL, sessions: [s], ...tail }));
  });
});
