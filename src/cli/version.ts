import { readFileSync } from 'node:fs';

/** The version in package.json (read once, at start; dist/bundle/, dist/cli/ and src/cli/ are all two levels deep). */
export const VERSION: string = (() => {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
})();
