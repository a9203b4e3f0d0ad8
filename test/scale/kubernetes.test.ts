/**
 * docs/deploy/kubernetes/ftp-pcap-indexed-job.yaml: its shape (an Indexed Job of N shards whose --shard
 * argument says N, volumes where the arguments read and write, a merge Job reading the same place)
 * and its commands, run here as the kubelet would run them: `$(JOB_COMPLETION_INDEX)` replaced in
 * command and args, each volume's mountPath mapped to a local folder, /bin/sh for `sh -c`.
 *
 * The archive the commands read holds a cut capture (tcpdump stopped mid-write): every shard then
 * exits 2 with its partial written, which the shard script must pass as a success, and the merge
 * must report the damage once and exit 2 with the report one process writes.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { posix } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { Shell, linesOf, recordsOf, type ShellResult } from '../helpers/shell.js';

const MANIFEST = 'docs/deploy/kubernetes/ftp-pcap-indexed-job.yaml';

/** The parts of the Kubernetes objects this test reads (batch/v1 Job, core/v1 PVC). */
interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
}
interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  volumeMounts?: VolumeMount[];
  env?: { name: string }[];
}
interface Volume {
  name: string;
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
}
interface PodSpec {
  restartPolicy: string;
  containers: Container[];
  volumes?: Volume[];
}
interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec: {
    completionMode?: string;
    completions?: number;
    parallelism?: number;
    accessModes?: string[];
    podFailurePolicy?: { rules: { action: string; onExitCodes?: { containerName?: string; operator: string; values: number[] } }[] };
    template?: { spec: PodSpec };
  };
}

const docs = parseAllDocuments(readFileSync(MANIFEST, 'utf8'));
const objects = docs.filter((d) => d.contents !== null).map((d) => d.toJS() as KubeObject);
const jobs = objects.filter((o) => o.kind === 'Job');
const shardJob = jobs.find((j) => j.spec.completionMode === 'Indexed');
const mergeJob = jobs.find((j) => j !== shardJob);

function podOf(job: KubeObject | undefined): PodSpec {
  const pod = job?.spec.template?.spec;
  if (!pod) throw new Error(`${MANIFEST}: a Job without a pod template`);
  return pod;
}

/** The one container's argv as the kubelet starts it: command, then args. */
const argvOf = (c: Container): string[] => [...(c.command ?? []), ...(c.args ?? [])];

/** Kubernetes' $(VAR) expansion of command and args: a defined variable is replaced, $$ is $. */
function expand(word: string, vars: Record<string, string>): string {
  return word.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m: string, name: string | undefined) => (m === '$$' ? '$' : name !== undefined && name in vars ? vars[name] : m));
}

/** The mount (volume and its mountPath) that holds `path`. */
function mountOf(c: Container, path: string): VolumeMount | undefined {
  return c.volumeMounts?.find((m) => path.startsWith(m.mountPath.replace(/\/?$/, '/')));
}

describe(`${MANIFEST}: shape`, () => {
  it('parses, with no YAML error or warning, as an Indexed Job and a second Job', () => {
    for (const d of docs) {
      expect(d.errors).toEqual([]);
      expect(d.warnings).toEqual([]);
    }
    for (const j of jobs) expect(j).toMatchObject({ apiVersion: 'batch/v1', kind: 'Job' });
    expect(jobs).toHaveLength(2);
    expect(shardJob?.metadata.name).toBeTruthy();
    expect(mergeJob?.metadata.name).toBeTruthy();
  });

  it('the shards: completions = parallelism = N, and the --shard argument is exactly $(JOB_COMPLETION_INDEX)/N', () => {
    const spec = shardJob?.spec;
    expect(spec?.completionMode).toBe('Indexed');
    const n = spec?.completions ?? 0;
    expect(n).toBeGreaterThan(1);
    expect(spec?.parallelism).toBe(n);
    const [c, ...others] = podOf(shardJob).containers;
    expect(others).toEqual([]);
    const argv = argvOf(c);
    // The shell passes the shard and the output file to ftp-pcap as $1 and $2.
    expect(argv.slice(0, 2)).toEqual(['sh', '-c']);
    expect(argv[2]).toMatch(/ftp-pcap analyze \/archive\/\S* --shard "\$1" -o "\$2"/);
    expect(argv[4]).toBe(`$(JOB_COMPLETION_INDEX)/${n}`);
    expect(argv[5]).toBe('/results/part-$(JOB_COMPLETION_INDEX).ndjson');
    // The script itself must hold no $(...) (Kubernetes would expand it: only the args should).
    expect(argv[2]).not.toMatch(/\$\(/);
    expect(podOf(shardJob).restartPolicy).toBe('Never');
  });

  it('the shards write where the results volume is mounted, and read the archive from a read-only volume', () => {
    const pod = podOf(shardJob);
    const c = pod.containers[0];
    const out = argvOf(c)[5];
    const results = mountOf(c, out);
    expect(results?.mountPath).toBe(posix.dirname(out));
    expect(results?.readOnly).not.toBe(true);
    const archive = mountOf(c, '/archive/x.pcap');
    expect(archive?.readOnly).toBe(true);
    const archiveVolume = pod.volumes?.find((v) => v.name === archive?.name);
    expect(archiveVolume?.persistentVolumeClaim?.readOnly).toBe(true);
  });

  it('the merge reads the partials from the same claim, at the path the shards wrote them', () => {
    const shardPod = podOf(shardJob);
    const mergePod = podOf(mergeJob);
    const shardOut = argvOf(shardPod.containers[0])[5];
    const [c] = mergePod.containers;
    const argv = argvOf(c);
    // A shell for the glob; the partials of every index, in any order.
    expect(argv.slice(0, 2)).toEqual(['sh', '-c']);
    const glob = shardOut.replace('$(JOB_COMPLETION_INDEX)', '*');
    expect(argv[2]).toBe(`exec ftp-pcap merge ${glob} -f json -o ${posix.dirname(shardOut)}/report.json`);
    const claim = (pod: PodSpec, path: string, container: Container): string | undefined => pod.volumes?.find((v) => v.name === mountOf(container, path)?.name)?.persistentVolumeClaim?.claimName;
    expect(claim(mergePod, glob, c)).toBeTruthy();
    expect(claim(mergePod, glob, c)).toBe(claim(shardPod, shardOut, shardPod.containers[0]));
    // Shards on several nodes write to it at once.
    const pvc = objects.find((o) => o.kind === 'PersistentVolumeClaim' && o.metadata.name === claim(mergePod, glob, c));
    expect(pvc?.spec.accessModes).toEqual(['ReadWriteMany']);
  });

  it('both Jobs stop at once on exit 2 (retrying a usage error or a damaged capture gives the same), naming their container', () => {
    for (const job of jobs) {
      const rules = job.spec.podFailurePolicy?.rules ?? [];
      const names = podOf(job).containers.map((c) => c.name);
      expect(rules.map((r) => [r.action, r.onExitCodes?.operator, r.onExitCodes?.values])).toEqual([['FailJob', 'In', [2]]]);
      // The API rejects a rule naming no container of the pod.
      for (const r of rules) expect(names).toContain(r.onExitCodes?.containerName);
      expect(podOf(job).restartPolicy).toBe('Never');
    }
  });

  it('applying by label separates the steps (the merge must wait for the shards)', () => {
    const step = (o: KubeObject | undefined): string | undefined => o?.metadata.labels?.['ftp-pcap/step'];
    expect(step(shardJob)).toBe('shards');
    expect(step(mergeJob)).toBe('merge');
    // The results claim comes with the shards.
    for (const pvc of objects.filter((o) => o.kind === 'PersistentVolumeClaim')) expect(step(pvc)).toBe('shards');
  });
});

describe(`${MANIFEST}: its commands, run as the kubelet runs them`, () => {
  let sh: Shell;
  /** mountPath → local folder, per volume name. */
  const local = new Map<string, string>();
  let pods: ShellResult[] = [];
  let merge: ShellResult = { code: null, stdout: '', stderr: '' };
  let n = 0;

  /** A container's argv with $(VAR) expanded and mount paths made local folders. */
  function localArgv(c: Container, index: number): string[] {
    return argvOf(c).map((w) => {
      let word = expand(w, { JOB_COMPLETION_INDEX: String(index) });
      for (const m of c.volumeMounts ?? []) word = word.replaceAll(`${m.mountPath}/`, `${local.get(m.name) ?? m.mountPath}/`);
      return word;
    });
  }

  beforeAll(async () => {
    sh = new Shell('ftp-pcap-kubernetes-');
    n = shardJob?.spec.completions ?? 0;
    for (const v of ['archive', 'results']) {
      local.set(v, sh.path(v));
      mkdirSync(sh.path(v));
    }
    // An archive of rotated files: two lab captures whose data connections cross hosts, and a
    // third cut short at 70 %.
    copyFileSync('fixtures/06-client-nat-outside.pcap', sh.path('archive/a.pcap'));
    copyFileSync('fixtures/16-bounce.pcap', sh.path('archive/b.pcap'));
    const cut = readFileSync('fixtures/11-concurrent.pcap');
    writeFileSync(sh.path('archive/c.pcap'), cut.subarray(0, Math.floor(cut.length * 0.7)));
    // A partial a previous run left, which a failing pod must not pass on.
    writeFileSync(sh.path('results/part-0.ndjson'), 'stale\n');

    const c = podOf(shardJob).containers[0];
    pods = await Promise.all([...Array(n).keys()].map((i) => sh.start(localArgv(c, i), { JOB_COMPLETION_INDEX: String(i) })));
    merge = await sh.start(localArgv(podOf(mergeJob).containers[0], 0));
  });
  afterAll(() => sh.dispose());

  it('every pod succeeds, its damaged-capture exit 2 passed as success, with its partial written', () => {
    for (const p of pods) {
      expect(p.code).toBe(0);
      // The damage, once per pod (the pod's log): every shard reads every input.
      const lines = linesOf(p.stderr);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^ftp-pcap: .*\/archive\/c\.pcap: trailing partial record .*\(byte offset \d+\)$/);
    }
    expect(readdirSync(sh.path('results')).sort()).toEqual([...Array(n).keys()].map((i) => `part-${i}.ndjson`).concat('report.json').sort());
    const parts = [...Array(n).keys()].map((i) => sh.read(`results/part-${i}.ndjson`));
    // The data connections that cross hosts were in another shard than their session.
    expect(parts.reduce((k, p) => k + recordsOf(p, 'o'), 0)).toBeGreaterThan(0);
  });

  it('the merge writes the report one process writes and exits 2 with the damage, once', () => {
    // The inputs exactly as the pods named them (the archive folder, or a glob over it).
    const input = /ftp-pcap analyze (\S+) --shard/.exec(localArgv(podOf(shardJob).containers[0], 0)[2])?.[1];
    expect(input).toBeDefined();
    const one = sh.run(`ftp-pcap analyze ${input ?? ''} -f json -o '${sh.path('one.json')}'`);
    expect(JSON.parse(sh.read('one.json'))).toMatchObject({ inputs: [{ path: expect.stringMatching(/a\.pcap$/) as string }, {}, {}] });
    expect(one.code).toBe(2);
    expect(merge.code).toBe(2);
    expect(merge.stdout).toBe('');
    expect(linesOf(merge.stderr)).toEqual(linesOf(one.stderr));
    expect(linesOf(merge.stderr)).toHaveLength(1);
    expect(sh.read('results/report.json')).toBe(sh.read('one.json'));
    expect(JSON.parse(sh.read('one.json'))).toMatchObject({ complete: false, summary: { sessions: expect.any(Number) as number } });
  });

  it('a pod that fails for another reason fails, and leaves no partial (not even a previous run\'s)', async () => {
    const c = podOf(shardJob).containers[0];
    // The index past the last: ftp-pcap refuses the shard (a usage error, exit 2, nothing written).
    writeFileSync(sh.path(`results/part-${n}.ndjson`), 'stale\n');
    const r = await sh.start(localArgv(c, n));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--shard: "\d+\/\d+" is not i\/N/);
    expect(existsSync(sh.path(`results/part-${n}.ndjson`))).toBe(false);
  });
});
