// The post office's vocabulary: a letter as a door hands it over, the work a stage does on it,
// the stage interface, and the filters that plug into it (antivirus, the spam filter; Sieve next).
import type { Logger } from "../log/logger.js";
import type { AppContext } from "../server/context.js";
import type { SieveAction } from "../sieve/types.js";
import type { DeliveryFacts } from "../store/types.js";
import type { TraceOrigin } from "./trace-fields.js";

/** The doors a message comes in by. The post office decides from it which stages apply. */
export type Door =
  | "inbound" // port 25: mail from other servers, checked (SPF/DKIM/DMARC/ARC), never signed
  | "submission" // SMTP 587/465: an authenticated user's mail
  | "jmap" // JMAP EmailSubmission/set (and the webmail, which uses it)
  | "system" // written by the server itself: DSNs, delay notices, vacation replies
  | "redirect"; // a Sieve redirect to a local address (redirect.ts): the target's rules run, no checks again

/** One envelope recipient, resolved (src/delivery/resolve.ts) by the door. */
export interface Recipient {
  address: string; // as the door was given it
  accountIds: number[]; // local mailboxes it resolves to (aliases may give several)
  remote: string[]; // addresses to relay to (other domains, forwarding aliases)
  notify?: string[] | null; // DSN NOTIFY (RFC 3461 §4.1)
  orcpt?: string | null; // DSN ORCPT (RFC 3461 §4.2)
  /** What the door read of the accounts with them (src/delivery/resolve.ts: an account's own
   *  address), so the stages need not read it again: the active Sieve script, the vacation
   *  response. Absent: the stages read the store. */
  facts?: ReadonlyMap<number, DeliveryFacts>;
}

export interface Letter {
  door: Door;
  /** Envelope sender (reverse-path); "" for the null sender. */
  mailFrom: string;
  recipients: Recipient[];
  /** The message as the door was given it (after the door's own checks). Not copied. */
  body: Buffer;
  /** For the Received field. */
  origin: TraceOrigin;
  /** The sending account (queue entries, sending limits later); null for inbound and DSNs. */
  accountId: number | null;
  /** DSN envelope parameters (RFC 3461 §4.3, §4.4). */
  envId?: string | null;
  ret?: "FULL" | "HDRS" | null;
  /** The door's id for this message (SMTP's 250 reply); one is made when absent. */
  id?: string;
  /** The door's logger (with its connection fields); default: the app's. */
  log?: Logger;
  /** Port 25: the connection's DNS-list and postscreen-style score and its named reasons
   *  (src/dnsbl), for the spam stage. */
  screen?: { score: number; reasons: string[] };
}

/** What happened, for the door's reply. */
export interface Posted {
  id: string;
  /** Local accounts filed into (0 when discarded). */
  local: number;
  /** Remote recipients queued. */
  remote: number;
  discarded: boolean;
  /** The filters' notes ("antivirus=clean"), for the door's delivery log line. */
  verdicts: string[];
}

/** Where a local copy goes: the account's INBOX or its Junk mailbox (RFC 6154 \Junk, else INBOX
 *  with the $Junk keyword). */
export type Folder = "inbox" | "junk";

/** The authentication checks' results for mail from other servers (src/mailauth/verify.ts). */
export interface AuthSummary {
  spf: string; // pass | fail | softfail | neutral | none | temperror | permerror
  dkim: readonly { domain: string; result: string; aligned: boolean }[];
  dmarc: { result: string; domain: string; policy: string } | null;
  arc: string;
}

/** What a filter sees: the letter as it stands (trace fields not yet added), read-only. */
export interface FilterInput {
  door: Door;
  /** The message's post-office id (the SMTP 250 reply's). */
  id: string;
  mailFrom: string;
  recipients: readonly Recipient[];
  body: Buffer;
  /** The local accounts the message is filed into. */
  accountIds: readonly number[];
  /** The sending account (submission, JMAP); null for inbound and system mail. */
  accountId: number | null;
  /** Where it came from (client IP and HELO for SMTP). */
  origin: TraceOrigin;
  /** Port 25: the connection's DNS-list and postscreen score (src/dnsbl). */
  screen: { score: number; reasons: readonly string[] } | null;
  /** Port 25: SPF/DKIM/DMARC/ARC results; null when not checked (other doors, or checks off). */
  auth: AuthSummary | null;
}

export type FilterVerdict =
  /** Go on; optionally add header fields (each a complete "Name: value", no CRLF), send
   *  some accounts' copies to another folder, and note the verdict for the delivery log line. */
  | {
      kind: "accept";
      headers?: string[];
      folders?: { accountId: number; folder: Folder }[];
      note?: string;
      /** Hold the remote copies (queued in state "held": never sent until an admin releases
       *  them, never lost), e.g. outbound mail scored as spam; the reason is logged. */
      hold?: string;
      /** Lower-case names of header fields removed from the message before `headers` are added:
       *  the sender's own copies of fields this filter writes (a spammer's "X-Spam-Flag: NO"). */
      removeFields?: string[];
      /** The spam filter's score and junk threshold, message-wide (the first recipient's) and
       *  per local account, for Sieve's spamtest (RFC 5235) and the rejection rules (no
       *  rejection message for spam: RFC 5429 2.1 backscatter). */
      spam?: {
        score: number;
        threshold: number;
        accounts?: { accountId: number; score: number; threshold: number }[];
      };
      /** The virus scanner's verdict on the RFC 5235 3.3 scale (1: clean), for virustest. */
      virus?: number;
    }
  /** Refuse: 550 5.7.1 in the SMTP dialogue (no bounce is ever sent), a SetError over JMAP.
   *  cause "virus": the reason is the virus's name, and SMTP says 554 5.7.1 "virus found". */
  | { kind: "reject"; reason: string; cause?: "policy" | "virus" }
  /** Refuse for now: 451 4.3.0 (the sender keeps the message and retries), e.g. a scanner that
   *  cannot answer; a SetError over JMAP. */
  | { kind: "defer"; reason: string }
  /** Accept and drop: the door acknowledges, nothing is filed or queued. */
  | { kind: "discard"; reason: string };

export interface Filter {
  name: string;
  /** The doors it applies to; default: all but "system". */
  doors?: readonly Door[];
  check(input: FilterInput): Promise<FilterVerdict> | FilterVerdict;
}

/** One message on its way through the stages. Stages read the letter and fill in the rest. */
export interface Work {
  letter: Letter;
  id: string;
  log: Logger;
  /** The content as it will be filed (our forged Authentication-Results removed). */
  body: Buffer;
  /** Received (and Return-Path for local copies) once the trace stage ran. */
  received: Buffer;
  /** Our Authentication-Results and Received-SPF (inbound only). */
  authFields: Buffer;
  /** The checks' results behind authFields (inbound only, when they ran). */
  auth: AuthSummary | null;
  /** Set by a filter: the remote copies are queued held, with this reason. */
  hold: string | null;
  /** Header fields added by filters, above the content. */
  filterFields: Buffer;
  /** Folder per local account; absent means INBOX. */
  folders: Map<number, Folder>;
  accountIds: number[];
  /** Remote recipients, each once, with their DSN parameters. */
  remote: { address: string; notify: string[] | null; orcpt: string | null }[];
  discarded: boolean;
  queued: boolean;
  /** Notes of the filters that accepted it ("name=note"), for Posted.verdicts. */
  verdicts: string[];
  /** Sieve redirect actions (issue 19) the sieve stage collected, sent by the redirect stage
   *  after the local copies are filed: the account whose script redirected, the address, and the
   *  message as it is to be sent (after editheader). */
  redirects: { accountId: number; address: string; body: Buffer }[];
  /** Sieve notify actions (RFC 5435, mailto) the sieve stage collected, sent after filing. */
  notifications: {
    accountId: number;
    method: string;
    from: string | null;
    importance: 1 | 2 | 3;
    options: string[];
    message: string | null;
  }[];
  /** The spam filter's verdict (message-wide and per account); empty when it did not run. */
  spam: SpamVerdict | null;
  spamByAccount: Map<number, SpamVerdict>;
  /** The virus scanner's verdict (RFC 5235 3.3 scale), null when nothing scanned. */
  virus: number | null;
  /** Per local account, what its Sieve scripts decided (src/postoffice/sieve.ts). */
  plans: Map<number, AccountPlan>;
  /** Sieve vacations and rejections to send after filing. */
  sieveReplies: SieveReply[];
}

/** The spam verdict as the stages after the filter see it. */
export interface SpamVerdict {
  score: number;
  threshold: number;
}

/** What the sieve stage decided for one local account (absent from Work.plans: one copy into
 *  INBOX or the spam stage's Junk choice, as without Sieve). */
export interface AccountPlan {
  /** The copies to file, each once; empty: none (discard, reject, fileinto elsewhere failed...). */
  copies: {
    /** null: the implicit or explicit keep (INBOX, or Junk when the spam stage chose it). */
    mailbox: string | null;
    flags: string[];
    /** RFC 5490 :create: make the mailbox when it is missing. */
    create: boolean;
  }[];
  /** This account's copy after editheader (RFC 5293), Received and our fields included; null:
   *  the message as everyone else gets it. */
  body: Buffer | null;
  /** The duplicate tests' records (RFC 7352), written only once the copies are filed. */
  remember?: DuplicateRecord[];
}

/** One duplicate test's record, kept back until the message is filed (RFC 7352 3: the tracking
 *  list is updated only when the script ran to its end and the message was delivered; a filing
 *  that fails and is retried must not look like a duplicate of itself). */
export interface DuplicateRecord {
  key: string;
  seconds: number;
  /** RFC 7352 3.3 :last. */
  last: boolean;
  /** The run's "now": the record is dated when the test asked. */
  at: Date;
}

/** A Sieve vacation (RFC 5230) or reject (RFC 5429) the side-effects stage carries out once the
 *  copies are filed. */
export interface SieveReply {
  accountId: number;
  /** The envelope recipient that reached the account. */
  recipient: string;
  action: Extract<SieveAction, { type: "vacation" } | { type: "reject" }>;
}

/** A stage: one step of the pipeline, the same shape for all. It changes `work` or throws a
 *  PostOfficeError; "stop" ends the pipeline early (a discard), "next" goes on. */
export interface Stage {
  name: string;
  doors: ReadonlySet<Door>;
  run(work: Work, env: StageEnv): Promise<"next" | "stop">;
}

export interface StageEnv {
  ctx: AppContext;
  filters: readonly Filter[];
}
