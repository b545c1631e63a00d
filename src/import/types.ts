// What every import source (Maildir, mbox, a live IMAP server) hands the import engine
// (engine.ts), and what the engine reports back. Sources stream: a folder's messages are read
// one at a time as the engine asks for them, so memory is bounded whatever the mailbox size.
import type { SpecialUse } from "../store/types.js";

/** One message as a source reads it. */
export interface SourceMessage {
  /** The raw message; line ends may be bare LF (the engine makes them CRLF). */
  body: Buffer;
  /** System flags (\Seen, \Answered, \Flagged, \Deleted, \Draft) and keywords. */
  flags: string[];
  internalDate: Date;
  /** The UID it had on the old server (dovecot-uidlist, IMAP), when known. */
  uid?: number;
  /** Where a resumed import continues after this message: opaque to the engine, handed back to
   *  `SourceFolder.messages(after)` (an IMAP UID, an mbox byte offset, a Maildir file's order). */
  position: string;
  /** Names the message in the summary's failures: a file path, "mbox offset 1234", "UID 17". */
  label: string;
}

/** A message the source could not read; the engine counts it as failed and goes on. */
export interface SourceFailure {
  failed: true;
  label: string;
  reason: string;
  position: string;
}

export interface SourceFolder {
  /** Yubin's name for it: "/" as the hierarchy delimiter, "INBOX" for the inbox, UTF-8. */
  name: string;
  specialUse: SpecialUse | null;
  /** The old server's UIDVALIDITY (dovecot-uidlist, IMAP): kept when the target mailbox is new
   *  or has never held a message, so IMAP clients do not re-download. */
  uidValidity?: number;
  /** The old server's next UID, raised to after the import. */
  uidNext?: number;
  subscribed?: boolean;
  /** Messages and octets the folder holds, when the source knows them without reading every
   *  message (a stat, IMAP STATUS): for the quota check before anything is filed and for the
   *  progress bar's ETA. */
  count?: number;
  bytes?: number;
  /** The folder's messages in order, starting after `after` (a position an earlier run
   *  recorded) or at the start when null. */
  messages(after: string | null): AsyncIterable<SourceMessage | SourceFailure>;
}

export interface ImportSource {
  /** Identifies the source across runs (resume and incremental imports key on it), e.g.
   *  "maildir:/var/mail/ann" or "imap:ann@imap.example.com". */
  readonly id: string;
  folders(): AsyncIterable<SourceFolder>;
  close(): Promise<void>;
}

export interface ImportFailure {
  folder: string;
  label: string;
  reason: string;
}

export interface ImportSummary {
  folders: number;
  imported: number;
  /** Skipped as duplicates (dedupe on) or as already imported by an earlier run. */
  duplicates: number;
  failed: number;
  /** The first failures with reasons (bounded; `failed` counts them all). */
  failures: ImportFailure[];
  bytes: number;
  /** Folders whose UIDVALIDITY and UIDs were kept. */
  keptUids: number;
  elapsedMs: number;
}

/** Progress as the engine reports it (progress.ts draws it). */
export interface ImportProgress {
  folder: string;
  done: number;
  /** Messages expected in all, when the source said (else null: no ETA). */
  total: number | null;
  bytes: number;
  duplicates: number;
  failed: number;
}
