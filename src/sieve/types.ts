// Sieve (RFC 5228) as the rest of Yubin sees it: compile a script once (diagnostics with line and
// column), run it per message and recipient against a host that answers what the script asks
// (mailboxes, duplicates, the spam verdict), and get back the actions to carry out. The
// interpreter never touches the store or the network itself: the post office's sieve stage
// (src/postoffice/sieve.ts) is the host and carries the actions out.

/** One problem found in a script, 1-based line and column of where it starts. */
export interface SieveDiagnostic {
  line: number;
  column: number;
  message: string;
}

/** Most diagnostics one compile reports: past this the lexer and parser stop, so a hostile script
 *  of 100,000 stray "}" costs neither 100,000 objects nor an editor full of the same line. */
export const MAX_DIAGNOSTICS = 100;

/** Thrown by compileSieve: the script is not valid; every diagnostic found (at least one). */
export class SieveCompileError extends Error {
  override name = "SieveCompileError";
  constructor(readonly diagnostics: SieveDiagnostic[]) {
    super(diagnostics.map((d) => `line ${d.line}, column ${d.column}: ${d.message}`).join("\n"));
  }
}

/** Where an included script comes from (RFC 6609 :personal / :global). */
export type IncludeLocation = "personal" | "global";

export interface CompileOptions {
  /** Longest script accepted, in bytes (config sieve.maxScriptBytes). */
  maxScriptBytes?: number;
  /** Extensions a script may require; default: every one the interpreter implements
   *  (see `supportedExtensions`). */
  extensions?: ReadonlySet<string>;
}

/** A parsed, checked script, ready to run any number of times (immutable, cacheable). */
export interface CompiledScript {
  /** The extensions it requires (the capability strings of its require commands). */
  readonly requires: ReadonlySet<string>;
  /** Opaque to callers. */
  readonly program: unknown;
}

/** The message as one recipient's script sees it. */
export interface SieveMessage {
  /** The whole message as it will be filed (header and body, CRLF line ends). */
  raw: Buffer;
  /** The envelope (RFC 5228 5.4): reverse-path ("" for the null sender) and this recipient's
   *  forward-path; `auth` is the SMTP AUTH identity, when there was one. */
  envelope: { from: string; to: string; orcpt?: string | null; auth?: string | null };
}

/** What the host knows and does for the script. All methods may be called any number of times. */
export interface SieveHost {
  /** "Now" for the date/currentdate tests and vacation. */
  now: Date;
  /** The recipient's local time zone offset for currentdate/date without :zone, e.g. "+0000". */
  zone?: string;
  /** The local zone at an instant, e.g. "+0200" on a summer date and "+0100" on a winter one in
   *  Europe/Berlin: preferred over `zone` when given, so each header date of the date test is
   *  shown in the offset the zone had then (RFC 5260 4.1 "the local time zone"). */
  zoneAt?(at: Date): string;
  /** RFC 5490 mailboxexists, and fileinto without :create when the folder is missing. */
  mailboxExists(name: string): Promise<boolean>;
  /** RFC 7352 duplicate: true when `key` (already hashed or composed by the interpreter from the
   *  handle and the unique id) was recorded within `seconds`; records it unless it was seen and
   *  `last` is false. The host keeps this per account. */
  duplicate(key: string, seconds: number, last: boolean): Promise<boolean>;
  /** RFC 6609 include: the source of a personal or global script, null when it does not exist. */
  include(name: string, location: IncludeLocation): Promise<string | null>;
  /** RFC 5235 spamtest: the spam filter's score and the junk threshold (null: not tested). */
  spam?: { score: number; threshold: number } | null;
  /** RFC 5235 virustest: 1 clean … 5 infected (RFC 5235 3.3 scale); null: not tested. */
  virus?: number | null;
  /** RFC 5183 environment items (domain, host, name, version, location, phase...). */
  environment?: Record<string, string>;
}

export interface RunLimits {
  /** Commands and tests evaluated before the run is stopped (a runtime error: implicit keep). */
  maxSteps: number;
  /** Actions a run may produce (fileinto, redirect, notify, vacation... together). */
  maxActions: number;
  /** redirect actions per run. */
  maxRedirects: number;
  /** notify actions per run. */
  maxNotify: number;
  /** Deepest include nesting. */
  maxIncludeDepth: number;
  /** Wall time in ms before the run is stopped (a runtime error: implicit keep). */
  maxRunMs: number;
  /** RFC 5230 / RFC 6131 bounds of the vacation interval (config vacationMinSeconds /
   *  vacationMaxSeconds; default 1 day / 90 days). */
  vacationMinSeconds?: number;
  vacationMaxSeconds?: number;
  /** RFC 7352 duplicate: the interval without :seconds, and the longest one (config
   *  duplicateDefaultSeconds / duplicateMaxSeconds; default 7 / 30 days). */
  duplicateDefaultSeconds?: number;
  duplicateMaxSeconds?: number;
  /** RFC 5229 3: the longest value a variable keeps, in bytes (longer ones are cut; config
   *  maxVariableBytes; default 4096). */
  maxVariableBytes?: number;
  /** RFC 5293 4: the longest value addheader may add (config editheaderMaxValueBytes; default
   *  2048; a constant value over the default is refused when the script is compiled). */
  editheaderMaxValueBytes?: number;
}

/** The actions a run produced, in script order. Duplicates are already merged (RFC 5228 4.2:
 *  fileinto the same mailbox twice files once; redirect to the same address twice sends once). */
export type SieveAction =
  /** Implicit or explicit keep: file into INBOX with these IMAP flags (RFC 5232). `implicit`:
   *  this is the implicit keep (RFC 5228 2.10.2), not a keep command; the post office needs to
   *  know when it chains the global scripts with the user's (an implicit keep of one script is
   *  cancelled by another's fileinto, an explicit keep is not). Absent: treated as implicit. */
  | { type: "keep"; flags: string[]; implicit?: boolean }
  | { type: "fileinto"; mailbox: string; flags: string[]; create: boolean; specialUse?: string | null }
  | { type: "redirect"; address: string; copy: boolean }
  | { type: "discard" }
  /** RFC 5429: reject (an MDN-style refusal) or ereject (refuse in the protocol when possible). */
  | { type: "reject"; reason: string; extended: boolean }
  /** RFC 5230/6131: the interpreter has already decided the reply is due as far as the script is
   *  concerned; the host applies RFC 3834 checks, the once-per-`seconds` memory keyed by `handle`,
   *  and sends it. */
  | {
      type: "vacation";
      reason: string;
      mime: boolean;
      subject: string | null;
      from: string | null;
      addresses: string[];
      handle: string;
      seconds: number;
    }
  /** RFC 5435/5436 enotify with the mailto method. */
  | {
      type: "notify";
      method: string;
      from: string | null;
      importance: 1 | 2 | 3;
      options: string[];
      message: string | null;
    };

export interface SieveResult {
  /** Keep, fileinto, redirect, reject... in order. When the script cancelled nothing, a keep
   *  (the implicit keep) is among them; when a runtime error happened, exactly [keep]. */
  actions: SieveAction[];
  /** The message after editheader (RFC 5293) changed it; null when unchanged. Filed copies and
   *  redirects use it; vacation and reject quote the original. */
  edited: Buffer | null;
  /** A runtime error (limits, a failed action): the actions are then just the implicit keep. */
  error: SieveDiagnostic | null;
  /** Problems that did not stop the run (a pattern built from variables that does not compile
   *  matches nothing); for the log. Absent when there were none. */
  warnings?: SieveDiagnostic[];
}
