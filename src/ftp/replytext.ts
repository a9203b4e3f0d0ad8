/**
 * What a server reply's text says when the capture lacks the command it answers (only the
 * server's side of the control connection captured): the texts of the servers the lab runs
 * (vsftpd, pyftpdlib), matched loosely; anything else says nothing.
 */
import type { TransferDirection } from './model.js';

/** What a 150/125 reply says is coming, when its command was not captured (vsftpd: "Here comes
 * the directory listing.", "Ok to send data.", "Opening BINARY mode data connection for f (n
 * bytes)."); a download when the text does not tell. */
export function directionOf150(text: string): TransferDirection {
  if (/director|listing|file list/i.test(text)) return 'listing';
  if (/ok to send|send data|upload|STOR/i.test(text)) return 'upload';
  return 'download';
}

/** The transfer a refusal answers, for texts only a transfer command gets (vsftpd: "550 Failed to
 * open file." to RETR, "553 Could not create file." to STOR); null for any other text (pyftpdlib's
 * "550 No such file or directory." answers SIZE, CWD and DELE as well). */
export function refusedTransferOf(text: string): TransferDirection | null {
  if (/failed to open file/i.test(text)) return 'download';
  if (/could not create file/i.test(text)) return 'upload';
  return null;
}
