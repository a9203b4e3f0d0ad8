/**
 * A failed system call in words a user reads, for the one-line errors of output paths (`-o`,
 * `--extract`): "read-only file system" rather than EROFS, the code itself for what is not listed.
 * Shared by the layers that write (report, ftp), like limits.ts.
 */

/** The errno code of a Node error (`ENOENT`), if it has one. */
export function code(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | null)?.code;
}

/** An errno as words (the code itself for what is not listed). */
export function describe(e: unknown): string {
  switch (code(e)) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'ENOTDIR':
      return 'a part of the path is not a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a directory';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'EFBIG':
      return 'file too large';
    case 'EIO':
      return 'input/output error';
    case 'ELOOP':
      return 'too many levels of symbolic links';
    case 'ENAMETOOLONG':
      return 'name too long';
    case 'ENXIO':
      return 'no device behind it';
    case 'EINVAL':
      return 'this file does not take writes';
    default: {
      const c = code(e);
      return c ?? (e instanceof Error ? e.message.split('\n')[0] : String(e));
    }
  }
}
