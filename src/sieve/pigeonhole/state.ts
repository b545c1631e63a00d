// What one Pigeonhole test file's run sees and changes, apart from the interpreter: the message
// and envelope under test (test_set), the mail store its results are filed into and the outbox
// its redirects, rejections, vacation replies and notifications are sent to (test_result_execute,
// test_message), the messages of the last compile or run (test_error), the script compiled by
// test_script_compile, and the count of tests and failures. Mirrors Pigeonhole's
// src/testsuite/testsuite-{message,mailstore,smtp,log,common}.c.
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join, normalize } from "node:path";
import { parseAddressList } from "../../mime/address.js";
import { fieldValue, scanHeader } from "../../mime/headers.js";
import { parsePathArg } from "../../smtp/wire/path.js";
import type { SieveMessage } from "../types.js";

/** Pigeonhole's default message (testsuite-message.c) and envelope. */
const DEFAULT_MESSAGE = "From: sender@example.com\nTo: recipient@example.org\nSubject: Frop!\n\nFriep!\n";
const DEFAULT_SENDER = "sender@example.com";
const DEFAULT_RECIPIENT = "recipient@example.com";

export interface Envelope {
  from: string;
  to: string;
  origTo: string;
  auth: string | null;
}

export interface StoredMail {
  raw: Buffer;
  flags: string[];
}

export interface SentMail {
  from: string;
  to: string;
  raw: Buffer;
}

export interface Failure {
  /** The test block's name; null for a failure outside any test block. */
  test: string | null;
  reason: string;
  /** The errors of the last compile or run when the test failed (what went wrong, often). */
  errors?: string[];
}

/** LF or CRLF line ends in, CRLF out (SieveMessage.raw is CRLF). */
export function toCrlf(text: string | Buffer): Buffer {
  const s = typeof text === "string" ? text : text.toString("latin1");
  const out = s.replace(/\r?\n/g, "\r\n");
  return typeof text === "string" ? Buffer.from(out, "utf8") : Buffer.from(out, "latin1");
}

/** The address in the first `name` field of the message's header, or null. */
function headerAddress(raw: Buffer, name: string): string | null {
  const { fields } = scanHeader(raw, 0, raw.length);
  const f = fields.find((x) => x.lname === name);
  if (!f) return null;
  for (const a of parseAddressList(fieldValue(raw, f))) {
    if (a.mailbox !== null && a.host !== null && a.mailbox !== "") return `${a.mailbox}@${a.host}`;
  }
  return null;
}

/** "<a@b>", "a@b" or "<>" as written in test_set "envelope.*" to the address Yubin's SMTP
 *  server would hand the interpreter (RFC 5321 4.1.2: a source route dropped, "" for <>); a path
 *  it would refuse is passed on as written, for the interpreter's own checks (RFC 5228 2.7.4). */
export function bareAddress(value: string): string {
  const v = value.trim();
  const parsed = parsePathArg(`FROM:${v.startsWith("<") ? v : `<${v}>`}`, "FROM");
  if (parsed.ok) return parsed.path.address;
  return v.startsWith("<") && v.endsWith(">") ? v.slice(1, -1).trim() : v;
}

export class TestsuiteState {
  message: Buffer = toCrlf(DEFAULT_MESSAGE);
  envelope: Envelope = { from: DEFAULT_SENDER, to: DEFAULT_RECIPIENT, origTo: DEFAULT_RECIPIENT, auth: null };
  /** Mailbox name → messages filed there, in order (persists across test_result_reset, as
   *  Pigeonhole's mail store does). */
  readonly mailboxes = new Map<string, StoredMail[]>([["INBOX", []]]);
  /** Messages sent by executed results, in order (test_message :smtp <index>). */
  outbox: SentMail[] = [];
  /** Errors and warnings of the last test_script_compile / test_script_run / test_result_execute. */
  errors: string[] = [];
  /** The script test_script_compile compiled last (opaque: the runner's compiled form). */
  compiled: unknown = null;
  /** Actions of the current result already carried out by test_result_execute. */
  executed = 0;
  /** test_config_set values (Dovecot setting names), applied at test_config_reload. */
  readonly config = new Map<string, string>();
  /** The duplicate test's memory (RFC 7352), key → expiry in ms. */
  readonly duplicates = new Map<string, number>();
  tests = 0;
  readonly failures: Failure[] = [];
  /** The test block being run, null outside. */
  current: string | null = null;

  constructor(
    /** The .svtest file's directory: test_script_compile and include paths start here. */
    readonly dir: string,
    /** Scripts may be named up to here (the suite's root: tests/execute/examples.svtest reads
     *  ../../examples/); default: dir. */
    readonly root: string = dir,
  ) {}

  /** A script file named relative to the test file's directory; null when missing or outside
   *  the root. */
  readScript(path: string): string | null {
    const full = normalize(join(this.dir, path));
    if (isAbsolute(path) || !full.startsWith(normalize(this.root)) || !existsSync(full)) return null;
    return readFileSync(full, "utf8");
  }

  /** test_set "message": the new message, and the envelope Pigeonhole derives from it
   *  (Envelope-To or To for the recipient; Return-path, Sender or From for the sender). */
  setMessage(text: string | Buffer): void {
    this.message = toCrlf(text);
    const to =
      headerAddress(this.message, "envelope-to") ?? headerAddress(this.message, "to") ?? DEFAULT_RECIPIENT;
    const from =
      headerAddress(this.message, "return-path") ??
      headerAddress(this.message, "sender") ??
      headerAddress(this.message, "from") ??
      DEFAULT_SENDER;
    this.envelope = { from, to, origTo: to, auth: this.envelope.auth };
  }

  /** test_set "envelope.<member>". */
  setEnvelope(member: string, value: string): boolean {
    switch (member.toLowerCase()) {
      case "from":
        this.envelope.from = bareAddress(value);
        return true;
      case "to":
        this.envelope.to = bareAddress(value);
        this.envelope.origTo = this.envelope.to;
        return true;
      case "orig_to":
        this.envelope.origTo = bareAddress(value);
        return true;
      case "auth":
        this.envelope.auth = value;
        return true;
      default:
        return false;
    }
  }

  /** The message as the interpreter sees it. */
  sieveMessage(): SieveMessage {
    return {
      raw: this.message,
      envelope: {
        from: this.envelope.from,
        to: this.envelope.to,
        orcpt: this.envelope.origTo,
        auth: this.envelope.auth,
      },
    };
  }

  mailboxExists(name: string): boolean {
    return this.mailboxes.has(normalizeMailbox(name));
  }

  createMailbox(name: string): void {
    const n = normalizeMailbox(name);
    if (!this.mailboxes.has(n)) this.mailboxes.set(n, []);
  }

  /** Files a message. Pigeonhole's testsuite mail storage detects attachments on save and adds
   *  the keyword $HasAttachment or $HasNoAttachment (Dovecot's attachment detection), which its
   *  imap4flags tests count among the stored flags; Yubin's store does not, so this test store
   *  stands in for Dovecot's there. */
  store(name: string, mail: StoredMail): void {
    const n = normalizeMailbox(name);
    const box = this.mailboxes.get(n) ?? [];
    const keyword = /^content-disposition:\s*attachment/im.test(mail.raw.toString("latin1"))
      ? "$HasAttachment"
      : "$HasNoAttachment";
    if (!mail.flags.some((f) => f.toLowerCase() === keyword.toLowerCase())) mail.flags.push(keyword);
    box.push(mail);
    this.mailboxes.set(n, box);
  }

  /** Pigeonhole's testsuite has no duplicate database for vacation (duplicate_check is unset):
   *  each result starts without the memory of earlier replies. */
  forgetVacations(): void {
    for (const k of [...this.duplicates.keys()]) if (k.startsWith("vacation\0")) this.duplicates.delete(k);
  }

  /** test_message :folder: make the index'th message of the folder current; false when none. */
  selectStored(name: string, index: number): StoredMail | null {
    const m = this.mailboxes.get(normalizeMailbox(name))?.[index];
    if (!m) return null;
    this.setMessage(m.raw);
    return m;
  }

  /** test_message :smtp: make the index'th sent message current, with its envelope. */
  selectSent(index: number): boolean {
    const m = this.outbox[index];
    if (!m) return false;
    this.setMessage(m.raw);
    this.envelope = { from: m.from, to: m.to, origTo: m.to, auth: this.envelope.auth };
    return true;
  }

  fail(reason: string): void {
    const f: Failure = { test: this.current, reason };
    if (this.errors.length > 0) f.errors = this.errors.slice(0, 3);
    this.failures.push(f);
  }
}

/** RFC 3501 5.1: INBOX is case-insensitive; Pigeonhole's test storage (Dovecot, hierarchy
 *  separator ".") treats the INBOX prefix of its children alike ("Inbox.Nonsense"), as Yubin's
 *  store does with "/". */
export function normalizeMailbox(name: string): string {
  if (name.toUpperCase() === "INBOX") return "INBOX";
  const sep = name[5];
  return name.slice(0, 5).toUpperCase() === "INBOX" && (sep === "." || sep === "/")
    ? `INBOX${name.slice(5)}`
    : name;
}

/** Thrown by test_fail to leave the test block (Pigeonhole jumps to the block's end). */
export class TestFailed extends Error {
  override name = "TestFailed";
}
