/**
 * Glob patterns for quoted capture arguments (`'/archive/*.pcap*'`), for shells that did not expand
 * them and for lists too long for the command line. Node 20 has no fs.glob; this covers what an
 * archive path needs, with the shell's meaning:
 *
 *   `*` any characters within one path segment, `?` one character, `[abc]` `[a-z]` `[!a-z]`
 *   `[^a-z]` one character of (or not of) a set, `\x` a literal x, `**` as a whole segment: zero or
 *   more directories.
 *
 * Wildcards never match a leading `.` (as in sh, so `*` skips `.hidden` and our own `.NAME.tmp`
 * report files); a segment that itself starts with `.` can name one. Braces and extglobs are the
 * shell's business, not ours. The walk that applies a pattern to the file system is in expand.ts.
 */

/** One path segment of a pattern: a literal name, a matcher, or `**`. */
export type Segment = { readonly kind: 'literal'; readonly name: string } | { readonly kind: 'match'; readonly re: RegExp } | { readonly kind: 'globstar' };

/** Whether a string holds an unescaped glob character (and is therefore a pattern, not a name). */
export function hasGlobMagic(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (c === '*' || c === '?' || c === '[') return true;
  }
  return false;
}

/**
 * Splits a pattern into the directory to start from (the leading segments without a wildcard,
 * unescaped) and the segments to match below it.
 */
export function parseGlob(pattern: string): { base: string; segments: Segment[] } {
  const absolute = pattern.startsWith('/');
  const parts = pattern.split('/').filter((p, i) => p !== '' || i === 0);
  if (absolute) parts.shift();
  const baseParts: string[] = [];
  let i = 0;
  while (i < parts.length && !hasGlobMagic(parts[i])) baseParts.push(unescape(parts[i++]));
  // The last segment is matched even when literal: it names the files, the base only directories.
  if (i === parts.length && baseParts.length > 0) {
    baseParts.pop();
    i--;
  }
  const segments: Segment[] = [];
  for (; i < parts.length; i++) {
    const p = parts[i];
    if (p === '**') {
      // `**/**` is the same as `**`.
      if (segments.at(-1)?.kind !== 'globstar') segments.push({ kind: 'globstar' });
    } else if (!hasGlobMagic(p)) segments.push({ kind: 'literal', name: unescape(p) });
    else segments.push({ kind: 'match', re: segmentRegExp(p) });
  }
  const base = (absolute ? '/' : '') + baseParts.join('/');
  return { base: base === '' ? '.' : base, segments };
}

function unescape(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}

/** RegExp syntax characters: the only ones that may be escaped under the `u` flag. */
const SYNTAX = new Set('\\^$.*+?()[]{}|/');

/** One segment (`rot_0000?.pcap*`) as an anchored RegExp; a leading dot only if the segment has one. */
export function segmentRegExp(seg: string): RegExp {
  let re = '';
  for (let i = 0; i < seg.length; i++) {
    const c = seg[i];
    if (c === '\\' && i + 1 < seg.length) {
      re += literal(seg[++i]);
    } else if (c === '*') {
      re += '[^/]*';
    } else if (c === '?') {
      re += '[^/]';
    } else if (c === '[') {
      const cls = bracket(seg, i);
      if (cls) {
        re += cls.re;
        i = cls.end;
      } else re += '\\['; // an unclosed [ is itself, as in sh
    } else {
      re += literal(c);
    }
  }
  // sh: a wildcard or bracket never matches the dot that starts a hidden name.
  const guard = seg.startsWith('.') ? '' : '(?!\\.)';
  return new RegExp(`^${guard}${re}$`, 'u');
}

function literal(c: string): string {
  return SYNTAX.has(c) ? `\\${c}` : c;
}

/** A member of a RegExp class: syntax characters and `-` escaped (both allowed under `u`). */
function member(c: string): string {
  return SYNTAX.has(c) || c === '-' ? `\\${c}` : c;
}

/** A bracket expression starting at seg[start] === '[': its RegExp class and the index of its `]`. */
function bracket(seg: string, start: number): { re: string; end: number } | null {
  let i = start + 1;
  let negate = false;
  if (seg[i] === '!' || seg[i] === '^') {
    negate = true;
    i++;
  }
  let body = '';
  // A `]` right after `[` or `[!` is a member, not the end (POSIX).
  let first = true;
  for (; i < seg.length; i++) {
    const c = seg[i];
    if (c === ']' && !first) return { re: `[${negate ? '^/' : ''}${body}]`, end: i };
    first = false;
    if (c === '\\' && i + 1 < seg.length) body += member(seg[++i]);
    // A range's dash: between two members, not first or last.
    else if (c === '-' && body !== '' && i + 1 < seg.length && seg[i + 1] !== ']') body += '-';
    else body += member(c);
  }
  return null;
}
