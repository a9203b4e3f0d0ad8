#!/usr/bin/env node
// Regenerates the trimmed schema copies in test/vendor/ from upstream data:
//   node test/vendor/trim.mjs ECS_FLAT_JSON OCSF_SCHEMA_DIR
// ECS_FLAT_JSON: ecs_flat.json (generated/ecs/ecs_flat.yml of elastic/ecs converted to JSON, keeping
// type, level, normalize, allowed_values, short); OCSF_SCHEMA_DIR: a checkout of ocsf/ocsf-schema.
// What is kept is what test/report/ndjson.test.ts and ocsf.test.ts validate against: whole ECS
// field sets the NDJSON events use (so a new field of a kept set is still checked against ECS),
// and the OCSF classes and objects ftp-pcap emits with what they resolve to (parent classes and
// objects, profiles, the dictionary entries of their attributes, every type).
// Descriptions are dropped: the tests read names, types, enums, requirements and constraints.
import { readFileSync, writeFileSync, mkdirSync, readdirSync, statSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const [ecsFlat, ocsfRoot] = process.argv.slice(2);
if (!ecsFlat || !ocsfRoot) {
  console.error('usage: node test/vendor/trim.mjs ECS_FLAT_JSON OCSF_SCHEMA_DIR');
  process.exit(2);
}
const HERE = dirname(fileURLToPath(import.meta.url));

/** ECS field sets written by src/report/ndjson.ts (top-level names; `@timestamp`, `message` and `tags` are fields of the base set). */
const ECS_SETS = ['@timestamp', 'message', 'tags', 'labels', 'ecs', 'event', 'source', 'destination', 'client', 'server', 'network', 'user', 'related', 'observer', 'file', 'rule', 'log', 'tls', 'error'];
/** OCSF classes written by src/report/ocsf.ts. */
const OCSF_CLASSES = ['ftp_activity', 'detection_finding', 'application_error'];
/** The objects those events hold (an object outside this list fails the test as an unknown type: add it here). */
const OCSF_OBJECTS = ['metadata', 'product', 'actor', 'user', 'network_endpoint', 'network_connection_info', 'network_traffic', 'observable', 'file', 'fingerprint', 'finding_info', 'analytic', 'evidences'];

const stable = (v) => JSON.stringify(v) + '\n';
const strip = (v) => {
  if (Array.isArray(v)) return v.map(strip);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'description' && k !== 'references' && k !== '@deprecated').map(([k, x]) => [k, strip(x)]));
  return v;
};

// ECS
{
  const all = JSON.parse(readFileSync(ecsFlat, 'utf8'));
  const kept = Object.fromEntries(Object.entries(all).filter(([name]) => ECS_SETS.includes(name.split('.')[0])).map(([k, v]) => [k, { type: v.type, normalize: v.normalize, ...(v.allowed_values ? { allowed_values: v.allowed_values } : {}) }]));
  mkdirSync(join(HERE, 'ecs'), { recursive: true });
  writeFileSync(join(HERE, 'ecs/ecs_flat.json'), stable(kept));
  console.log(`ecs: ${Object.keys(kept).length} of ${Object.keys(all).length} fields`);
}

// OCSF
{
  const read = (p) => JSON.parse(readFileSync(join(ocsfRoot, p), 'utf8'));
  const walk = (dir) => readdirSync(join(ocsfRoot, dir)).flatMap((f) => (statSync(join(ocsfRoot, dir, f)).isDirectory() ? walk(join(dir, f)) : f.endsWith('.json') ? [join(dir, f)] : []));
  const classes = new Map(walk('events').map((p) => [read(p).name, p]));
  const objects = new Map(walk('objects').map((p) => [read(p).name, p]));
  const dictionary = read('dictionary.json');
  const files = new Set(['version.json', 'categories.json']);
  const attrs = new Set();
  const seenObjects = new Set();
  const visit = (path, isObject) => {
    if (files.has(path)) return;
    files.add(path);
    const def = read(path);
    if (def.extends) visit((isObject ? objects : classes).get(def.extends), isObject);
    for (const [k, v] of Object.entries(def.attributes ?? {})) {
      if (k === '$include') {
        for (const inc of v) visit(inc, isObject);
        continue;
      }
      attrs.add(k);
      const type = v.type ?? dictionary.attributes[k]?.type;
      if (type && OCSF_OBJECTS.includes(type) && !seenObjects.has(type)) {
        seenObjects.add(type);
        visit(objects.get(type), true);
      }
    }
  };
  for (const c of OCSF_CLASSES) visit(classes.get(c), false);
  // The observable object's type_id enum is built from every object's `observable` number; kept objects suffice.
  const out = join(HERE, 'ocsf');
  rmSync(out, { recursive: true, force: true });
  for (const f of files) {
    mkdirSync(dirname(join(out, f)), { recursive: true });
    writeFileSync(join(out, f), stable(f === 'version.json' || f === 'categories.json' ? read(f) : strip(read(f))));
  }
  const dict = { ...dictionary, attributes: Object.fromEntries(Object.entries(dictionary.attributes).filter(([k]) => attrs.has(k))) };
  writeFileSync(join(out, 'dictionary.json'), stable(strip(dict)));
  console.log(`ocsf: ${files.size} files (${seenObjects.size} of ${objects.size} objects), ${attrs.size} of ${Object.keys(dictionary.attributes).length} dictionary attributes`);
}
