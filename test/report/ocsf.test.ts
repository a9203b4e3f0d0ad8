/**
 * `--format ocsf` (src/report/ocsf.ts) on every lab capture: every event validated against its
 * class as the OCSF schema describes it (the trimmed copy in test/vendor/ocsf). The class's attributes are resolved the way the
 * schema data says: its own, then those of every class it `extends`, plus the `$include`d
 * profiles (whose required attributes apply only when `metadata.profiles` names the profile), each
 * attribute's type and enum from dictionary.json merged with the class's; objects likewise
 * (`extends`, `$include`, constraints). Checked: names known, required ones present, types
 * (strings, integers, ports, IPs, timestamps, arrays, nested objects), enum values, at_least_one /
 * just_one constraints, enum siblings (`status` is the caption of `status_id`...), uid arithmetic
 * (class_uid, type_uid). Goldens in test/golden/siem/*.ocsf.ndjson.
 */
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isIP } from 'node:net';
import { OCSF_VERSION, OcsfSink } from '../../src/report/ocsf.js';
import { LAB, GOLDEN_CAPTURES, analyze, analyzeLab, jsonReport, ndjsonLines, golden, isObject, MemoryOut, handBuiltSession, handBuiltTail, truncatedLab, NASTY, TOOL, VERSION, type LabCapture } from './siem.js';
import { cli } from '../helpers/cli.js';

const ROOT = 'test/vendor/ocsf';
const readJson = (p: string): Record<string, unknown> => JSON.parse(readFileSync(join(ROOT, p), 'utf8')) as Record<string, unknown>;

interface EnumValue {
  caption: string;
}
interface AttrDef {
  requirement?: string;
  type?: string;
  is_array?: boolean;
  enum?: Record<string, EnumValue>;
  sibling?: string;
  profile?: string | null;
}
interface Def {
  name: string;
  uid?: number;
  caption?: string;
  category?: string;
  extends?: string;
  attributes: Record<string, AttrDef | string[]>;
  constraints?: { at_least_one?: string[]; just_one?: string[] };
}
interface Resolved {
  attrs: Map<string, AttrDef>;
  constraints: NonNullable<Def['constraints']>;
  def: Def;
  category?: string;
}

const dictionary = readJson('dictionary.json') as { attributes: Record<string, AttrDef>; types: { attributes: Record<string, { type?: string; regex?: string; range?: [number, number] }> } };
const categories = (readJson('categories.json') as { attributes: Record<string, { uid: number; caption: string }> }).attributes;

function walk(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((f) => (statSync(join(ROOT, dir, f)).isDirectory() ? walk(join(dir, f)) : f.endsWith('.json') ? [join(dir, f)] : []));
}
const classes = new Map<string, Def>(walk('events').map((p) => [readJson(p).name as string, readJson(p) as unknown as Def]));
const objects = new Map<string, Def>(walk('objects').map((p) => [readJson(p).name as string, readJson(p) as unknown as Def]));

function mergeAttr(base: AttrDef | undefined, over: AttrDef): AttrDef {
  const out: AttrDef = { ...base, ...over };
  if (base?.enum || over.enum) out.enum = { ...base?.enum, ...over.enum };
  return out;
}

const cache = new Map<string, Resolved>();
function resolve(defs: Map<string, Def>, name: string): Resolved {
  const key = `${defs === classes ? 'class' : 'object'}:${name}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const def = defs.get(name);
  if (!def) throw new Error(`unknown ${key}`);
  const parent = def.extends ? resolve(defs, def.extends) : null;
  const attrs = new Map<string, AttrDef>(parent ? [...parent.attrs] : []);
  for (const [k, v] of Object.entries(def.attributes)) {
    if (k === '$include') {
      for (const inc of v as string[]) {
        const prof = readJson(inc) as unknown as Def;
        for (const [pk, pv] of Object.entries(prof.attributes)) attrs.set(pk, mergeAttr(attrs.get(pk), { profile: prof.name, ...(pv as AttrDef) }));
      }
      continue;
    }
    attrs.set(k, mergeAttr(attrs.get(k), v as AttrDef));
  }
  // The dictionary gives each attribute its type, array-ness, sibling and base enum.
  for (const [k, a] of attrs) {
    const d = dictionary.attributes[k];
    if (!d) throw new Error(`${name}.${k} is not in the dictionary`);
    const merged: AttrDef = { ...d, ...a, enum: d.enum || a.enum ? { ...d.enum, ...a.enum } : undefined };
    if (!a.type && d.type) merged.type = d.type;
    attrs.set(k, merged);
  }
  const r: Resolved = { attrs, constraints: def.constraints ?? parent?.constraints ?? {}, def, category: def.category ?? parent?.category };
  cache.set(key, r);
  return r;
}

const PRIMITIVE_BASE: Record<string, string> = { string_t: 'string', integer_t: 'integer', long_t: 'integer', float_t: 'number', boolean_t: 'boolean', json_t: 'any' };

function checkPrimitive(path: string, type: string, v: unknown, bad: string[]): void {
  const t = dictionary.types.attributes[type];
  if (!t) return void bad.push(`${path}: unknown type ${type}`);
  const base = PRIMITIVE_BASE[type] ?? PRIMITIVE_BASE[t.type ?? ''];
  if (base === 'string' && typeof v !== 'string') bad.push(`${path} (${type}) holds ${JSON.stringify(v)}`);
  if (base === 'integer' && !Number.isInteger(v)) bad.push(`${path} (${type}) holds ${JSON.stringify(v)}`);
  if (base === 'number' && typeof v !== 'number') bad.push(`${path} (${type}) holds ${JSON.stringify(v)}`);
  if (base === 'boolean' && typeof v !== 'boolean') bad.push(`${path} (${type}) holds ${JSON.stringify(v)}`);
  if (type === 'ip_t' && (typeof v !== 'string' || isIP(v) === 0)) bad.push(`${path} is not an IP: ${JSON.stringify(v)}`);
  else if (t.regex && typeof v === 'string' && type !== 'ip_t' && !new RegExp(t.regex).test(v)) bad.push(`${path} does not match ${type}: ${JSON.stringify(v)}`);
  if (t.range && typeof v === 'number' && (v < t.range[0] || v > t.range[1])) bad.push(`${path} out of range: ${v}`);
}

/** Validates `value` as an instance of a resolved class/object; problems go to `bad`. */
function validate(path: string, r: Resolved, value: Record<string, unknown>, profiles: readonly string[], bad: string[]): void {
  for (const [k, v] of Object.entries(value)) {
    let a = r.attrs.get(k);
    const p = path ? `${path}.${k}` : k;
    if (!a && k.endsWith('_dt') && profiles.includes('datetime')) {
      // The datetime profile's siblings of timestamp_t attributes.
      const base = r.attrs.get(k.slice(0, -3));
      if (base?.type === 'timestamp_t') a = { type: 'datetime_t' };
    }
    if (!a) {
      bad.push(`${p}: no such attribute in ${r.def.name}`);
      continue;
    }
    if (a.profile && !profiles.includes(a.profile)) bad.push(`${p}: attribute of profile ${a.profile}, not in metadata.profiles`);
    if (v === null) {
      bad.push(`${p} is null`);
      continue;
    }
    const items = a.is_array ? (Array.isArray(v) ? v : (bad.push(`${p} should be an array`), [])) : Array.isArray(v) ? (bad.push(`${p} should not be an array`), []) : [v];
    for (const item of items) {
      const type = a.type ?? 'string_t';
      if (type === 'object') {
        if (!isObject(item)) bad.push(`${p} should be an object`);
      } else if (objects.has(type)) {
        if (!isObject(item)) bad.push(`${p} should be an object (${type})`);
        else validate(p, resolve(objects, type), item, profiles, bad);
      } else checkPrimitive(p, type, item, bad);
      if (a.enum && !(!path && (k === 'class_uid' || k === 'category_uid')) && !(String(item) in a.enum)) bad.push(`${p} = ${JSON.stringify(item)} is not one of ${Object.keys(a.enum).join(',')}`);
    }
    // class_uid and category_uid are the class's own (checked in check()); the schema data holds
    // only base_event's 0 for them, the OCSF server fills in each class's value.
    if (!path && (k === 'class_uid' || k === 'category_uid')) continue;
    // An enum's sibling holds its caption, except for Other (99), where it holds the source's word.
    if (a.enum && a.sibling && a.sibling in value && String(v) !== '99') {
      const cap = a.enum[String(v)]?.caption;
      if (value[a.sibling] !== cap) bad.push(`${path ? `${path}.` : ''}${a.sibling} = ${JSON.stringify(value[a.sibling])}, the caption of ${k} ${String(v)} is ${JSON.stringify(cap)}`);
    }
  }
  for (const [k, a] of r.attrs) {
    if (a.requirement === 'required' && !(k in value) && (!a.profile || profiles.includes(a.profile))) bad.push(`${path ? `${path}.` : ''}${k} (required in ${r.def.name}) missing`);
  }
  const { at_least_one: one, just_one: just } = r.constraints;
  if (one && !one.some((k) => k in value)) bad.push(`${path || r.def.name}: needs at least one of ${one.join(', ')}`);
  if (just && just.filter((k) => k in value).length !== 1) bad.push(`${path || r.def.name}: needs exactly one of ${just.join(', ')}`);
}

// The observable object's type_id enum is generated from the schema (OCSF server): every type,
// object and attribute that declares an `observable` number contributes it, with its caption.
{
  const obs = resolve(objects, 'observable').attrs.get('type_id');
  if (!obs) throw new Error('observable.type_id missing');
  const add = (n: unknown, caption: unknown): void => {
    if (typeof n === 'number') obs.enum = { ...obs.enum, [String(n)]: { caption: String(caption) } };
  };
  for (const t of Object.values(dictionary.types.attributes) as { observable?: number; caption?: string }[]) add(t.observable, t.caption);
  for (const o of objects.values()) {
    add((o as unknown as { observable?: number }).observable, o.caption);
    for (const a of Object.values(o.attributes)) if (!Array.isArray(a)) add((a as { observable?: number }).observable, `${o.caption} attribute`);
  }
  for (const a of Object.values(dictionary.attributes)) add((a as { observable?: number; caption?: string }).observable, (a as { caption?: string }).caption);
}

const byUid = new Map<number, Resolved>();
for (const name of classes.keys()) {
  const r = resolve(classes, name);
  if (r.def.uid !== undefined && r.category && categories[r.category]) byUid.set(categories[r.category].uid * 1000 + r.def.uid, r);
}

/** Problems of one OCSF event. */
function check(e: Record<string, unknown>): string[] {
  const bad: string[] = [];
  const r = byUid.get(e.class_uid as number);
  if (!r) return [`class_uid ${String(e.class_uid)} is no class of the schema`];
  const cat = categories[r.category ?? ''];
  if (e.category_uid !== cat.uid) bad.push(`category_uid ${String(e.category_uid)}, the class's category is ${cat.uid}`);
  if (e.category_name !== cat.caption) bad.push(`category_name ${String(e.category_name)} is not ${cat.caption}`);
  if (e.class_name !== r.def.caption) bad.push(`class_name ${String(e.class_name)} is not ${r.def.caption}`);
  if (e.type_uid !== (e.class_uid as number) * 100 + (e.activity_id as number)) bad.push(`type_uid ${String(e.type_uid)} is not class_uid * 100 + activity_id`);
  const meta = e.metadata as { profiles?: string[]; version?: string } | undefined;
  if (meta?.version !== OCSF_VERSION) bad.push(`metadata.version ${String(meta?.version)}`);
  validate('', r, e, meta?.profiles ?? [], bad);
  return bad;
}

function versionless(events: Record<string, unknown>[], version: string): string {
  return events
    .map((e) => {
      const p = (e.metadata as { product: { version: string } }).product;
      expect(p.version).toBe(version);
      p.version = '<version>';
      return JSON.stringify(e) + '\n';
    })
    .join('');
}

describe('ocsf: events valid against the OCSF schema for every lab capture', () => {
  beforeAll(({}, suite) => analyzeLab('ocsf', suite), 300_000);
  it('follows the schema version of test/vendor/ocsf', () => {
    expect(OCSF_VERSION).toBe((readJson('version.json') as { version: string }).version);
    expect(byUid.get(4008)?.def.name).toBe('ftp_activity');
    expect(byUid.get(2004)?.def.name).toBe('detection_finding');
  });

  it('the validator catches what it should', () => {
    const ok = {
      activity_id: 2, activity_name: 'Get', category_uid: 4, category_name: 'Network Activity', class_uid: 4008, class_name: 'FTP Activity', type_uid: 400802,
      time: 1, severity_id: 1, metadata: { product: { name: 'x' }, version: OCSF_VERSION }, src_endpoint: { ip: '192.0.2.1', port: 1 },
    };
    expect(check(ok)).toEqual([]);
    expect(check({ ...ok, activity_id: 7, type_uid: 400807 }).join()).toMatch(/activity_id = 7/);
    expect(check({ ...ok, bogus: 1 }).join()).toMatch(/bogus: no such attribute/);
    expect(check({ ...ok, time: undefined }).join()).toMatch(/time .*missing|time is null|time \(timestamp_t\)/);
    expect(check({ ...ok, src_endpoint: { ip: 'nope' } }).join()).toMatch(/not an IP/);
    expect(check({ ...ok, src_endpoint: { port: 70000 } }).join()).toMatch(/out of range.*|needs at least one/);
    expect(check({ ...ok, status_id: 1, status: 'Failure' }).join()).toMatch(/caption of status_id 1 is "Success"/);
    expect(check({ ...ok, cloud: {} }).join()).toMatch(/profile cloud/);
    expect(check({ ...ok, file: { name: 'a' } }).join()).toMatch(/file.type_id .*missing/);
    expect(check({ ...ok, observables: [{ name: 'src_endpoint.ip', type_id: 2, type: 'IP Address', value: '192.0.2.1' }] })).toEqual([]);
    expect(check({ ...ok, observables: [{ name: 'x', type_id: 2, type: 'Hostname' }] }).join()).toMatch(/caption of type_id 2 is "IP Address"/);
  });

  for (const c of LAB) it(c.name, async () => runCapture(c));
});

async function runCapture(c: LabCapture): Promise<void> {
  const events = ndjsonLines(analyze('ocsf', c));
  const problems = events.flatMap((e, i) => check(e).map((p) => `line ${i + 1}: ${p}`));
  expect(problems).toEqual([]);
  // One FTP Activity per session and per data connection, one Detection Finding per finding.
  const report = await jsonReport(c, VERSION);
  const n = (uid: number, code?: string): number => events.filter((e) => e.class_uid === uid && (code === undefined || (e.metadata as { event_code: string }).event_code === code)).length;
  expect(n(4008, 'session')).toBe(report.sessions.length);
  expect(n(4008, 'data-connection')).toBe(report.sessions.reduce((k, s) => k + s.dataConnections.length, 0));
  expect(n(2004)).toBe(report.sessions.reduce((k, s) => k + s.findings.length, 0) + report.findings.length);
  // An Application Error only for a damaged input: these are whole.
  expect(n(6008)).toBe(0);
  // Failed data connections are Failures with the outcome as status_code and the diagnosis.
  const dcs = events.filter((e) => (e.metadata as { event_code: string }).event_code === 'data-connection');
  const expected = report.sessions.flatMap((s) => s.dataConnections);
  dcs.forEach((e, i) => {
    expect(e.status_code).toBe(expected[i].outcome);
    expect(e.status_detail).toBe(expected[i].diagnosis);
    expect(e.type).toBe(expected[i].mode);
  });
  if (GOLDEN_CAPTURES.includes(c.name)) golden(c.name, 'ocsf.ndjson', versionless(events, report.tool.version));
}

describe('ocsf: hand-built session with hostile strings', () => {
  it('stays valid OCSF, one line per event, strings intact', () => {
    const out = new MemoryOut();
    const sink = new OcsfSink(out.asOut());
    sink.begin(TOOL);
    sink.session(handBuiltSession());
    sink.end(handBuiltTail());
    expect(Buffer.from(out.text, 'utf8').toString('utf8')).toBe(out.text);
    const events = ndjsonLines(out.text);
    expect(events).toHaveLength(1 + 2 + 2 + 1);
    expect(events.flatMap((e, i) => check(e).map((p) => `line ${i + 1}: ${p}`))).toEqual([]);
    expect((events[0].actor as { user: { name: string } }).user.name).toBe(NASTY.user);
    expect(events[1].name).toBe(NASTY.argument);
    expect(events[1].observables).toContainEqual({ name: 'file.name', type_id: 7, type: 'File Name', value: NASTY.argument });
    expect(events[1].command_responses).toEqual([NASTY.replyText]);
    expect(events[2]).toMatchObject({ activity_id: 0, status_id: 2, status_code: 'not-attempted', src_endpoint: { ip: '10.1.2.3' }, dst_endpoint: { ip: '203.0.113.7', port: 30001 } });
    expect(events[5]).toMatchObject({ class_uid: 2004, severity_id: 4, finding_info: { types: ['brute-force'], analytic: { uid: 'brute-force' } }, evidences: [{ src_endpoint: { ip: '10.1.2.3' }, dst_endpoint: { ip: '203.0.113.7' } }] });
  });
});

describe('ocsf: a damaged capture ends with an Application Error', () => {
  it('03-active-blocked cut inside its last record (hand-built): the events before, then one Application Error (6008)', async () => {
    expect(byUid.get(6008)?.def.name).toBe('application_error');
    const cut = truncatedLab('03-active-blocked.pcap');
    try {
      const r = cli(['analyze', '--format', 'ocsf', cut.file]);
      expect(r.code).toBe(2);
      const events = ndjsonLines(r.stdout);
      expect(events.flatMap((e, i) => check(e).map((p) => `line ${i + 1}: ${p}`))).toEqual([]);
      const report = await jsonReport({ name: 'cut', files: [cut.file] }, VERSION);
      const n = (uid: number): number => events.filter((e) => e.class_uid === uid).length;
      expect(n(4008)).toBe(report.sessions.length + report.sessions.reduce((k, s) => k + s.dataConnections.length, 0));
      expect(n(2004)).toBe(report.sessions.reduce((k, s) => k + s.findings.length, 0) + report.findings.length);
      expect(n(6008)).toBe(1);
      const last = events[events.length - 1];
      const lastTime = (report.inputs as { lastTime: string }[])[0].lastTime;
      expect(last).toMatchObject({
        class_uid: 6008,
        activity_id: 1,
        activity_name: 'General Error',
        type_uid: 600801,
        time_dt: lastTime,
        time: Date.parse(lastTime),
        status_id: 2,
        status: 'Failure',
        status_code: 'truncated-record',
        status_detail: `trailing partial record (59 of 66 bytes) (byte offset ${cut.offset})`,
        severity_id: 4,
        metadata: { event_code: 'capture-incomplete' },
        unmapped: { ftp_pcap: { path: cut.file, complete: false, error: 'truncated-record', offset: cut.offset, packets: cut.packets } },
      });
      expect(last.message).toContain(`(byte offset ${cut.offset})`);
    } finally {
      cut.cleanup();
    }
  });
});

describe('ocsf with --hash', () => {
  it.each(['01-passive.pcap', '18-resume.pcap', '08-abort.pcap'])('%s: file.hashes (SHA-256) and file.size for whole files only, valid OCSF', (name) => {
    const files = LAB.find((c) => c.name === name)?.files ?? [];
    const r = cli(['analyze', '--hash', '--format', 'ocsf', ...files]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const events = ndjsonLines(r.stdout);
    expect(events.flatMap((e, i) => check(e).map((p) => `line ${i + 1}: ${p}`))).toEqual([]);
    const transfers = events.filter((e) => isObject(e.file));
    expect(transfers.length).toBeGreaterThan(0);
    for (const e of transfers) {
      const f = ((e.unmapped as { ftp_pcap: { file?: { complete: boolean; offset: number; sha256?: string; size: number } } }).ftp_pcap).file;
      const file = e.file as { size?: number; hashes?: { algorithm_id: number; value: string }[] };
      const whole = f?.complete === true && f.offset === 0;
      expect(file.hashes, JSON.stringify(f)).toEqual(whole ? [{ algorithm_id: 3, algorithm: 'SHA-256', value: f?.sha256 }] : undefined);
      expect(file.size).toBe(whole ? f?.size : undefined);
    }
  });
});
