/**
 * Reply texts read without their command (src/ftp/replytext.ts): the lab servers' texts, and texts
 * that must say nothing.
 */
import { describe, expect, it } from 'vitest';
import { directionOf150, refusedTransferOf } from '../../src/ftp/replytext.js';

describe('reply texts without their command', () => {
  const refusals: { text: string; want: ReturnType<typeof refusedTransferOf> }[] = [
    { text: '550 Failed to open file.', want: 'download' },
    { text: '553 Could not create file.', want: 'upload' },
    // pyftpdlib gives this to SIZE, CWD and DELE too: not a transfer's.
    { text: '550 No such file or directory.', want: null },
    { text: '550 Could not get file size.', want: null },
    { text: '550 Failed to change directory.', want: null },
  ];
  for (const r of refusals) it(`refusal ${JSON.stringify(r.text)} → ${r.want}`, () => expect({ text: r.text, got: refusedTransferOf(r.text) }).toEqual({ text: r.text, got: r.want }));

  it('150 texts give the direction, a download when they do not tell', () => {
    expect({
      listing: directionOf150('150 Here comes the directory listing.'),
      upload: directionOf150('150 Ok to send data.'),
      download: directionOf150('150 Opening BINARY mode data connection for f (3 bytes).'),
    }).toEqual({ listing: 'listing', upload: 'upload', download: 'download' });
  });
});
