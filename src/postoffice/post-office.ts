// The pipeline: every stage in order, each run only for the doors it names. See index.ts for the
// invariants it keeps.
import { randomBytes } from "node:crypto";
import { resolveRecipient } from "../delivery/resolve.js";
import { FieldsLogger } from "../log/fields-logger.js";
import type { RejectReason } from "../metrics/events.js";
import { srsResolveOption } from "../outbound/srs-service.js";
import type { AppContext } from "../server/context.js";
import { acceptStage } from "./accept.js";
import { authenticateStage } from "./authenticate.js";
import { dmarcRecordStage } from "./dmarc-record.js";
import { PostOfficeError } from "./errors.js";
import { fileLocalStage } from "./file-local.js";
import { filterStage } from "./filter.js";
import { notifyStage } from "./notify.js";
import { queueRemoteStage, remoteRecipients } from "./queue-remote.js";
import { redirectCheckStage, redirectStage } from "./redirect.js";
import { sendingLimitsStage } from "./sending-limits.js";
import { sideEffectsStage } from "./side-effects.js";
import { sieveStage } from "./sieve.js";
import { sieveMemoryStage } from "./sieve-memory.js";
import { traceStage } from "./trace.js";
import type { Filter, Letter, Posted, Stage, Work } from "./types.js";
import { wakeStage } from "./wake.js";

/** In order: accept → sending limits → trace → authenticate → filter → dmarc record → sieve → redirect check → file →
 *  sieve memory → redirect → notify → queue → wake → side effects. */
export const stages: readonly Stage[] = [
  acceptStage,
  sendingLimitsStage,
  traceStage,
  authenticateStage,
  filterStage,
  dmarcRecordStage,
  sieveStage,
  redirectCheckStage,
  fileLocalStage,
  sieveMemoryStage,
  redirectStage,
  notifyStage,
  queueRemoteStage,
  wakeStage,
  sideEffectsStage,
];

/** Mail the server writes itself to one address, from the null sender (RFC 5321 §4.5.5). */
export interface SystemMail {
  body: Buffer;
  to: string;
  /** The account it is sent for (a vacation reply), or null (a DSN). */
  accountId: number | null;
  /** DSN NOTIFY for remote copies: DSNs ask for none (RFC 3461 §6.2, no loops). */
  notify?: string[] | null;
}

export interface PostOffice {
  /** Takes the letter through every stage its door needs. Resolves once everything is durable
   *  (filed and queued); throws PostOfficeError (refused) or the store's errors (QuotaError). */
  post(letter: Letter): Promise<Posted>;
  /** Resolves `to` and posts through the "system" door; null when it names nobody. */
  postSystem(mail: SystemMail): Promise<Posted | null>;
}

export interface PostOfficeOptions {
  /** The app it serves (a function: the post office is built while the context is). */
  context: () => AppContext;
  /** The filter stage's list, in order (empty by default). */
  filters?: readonly Filter[];
}

// Unique within a process by a counter, across restarts by the start time (as the SMTP ids).
const prefix = Math.floor(Date.now() / 1000)
  .toString(36)
  .toUpperCase();
const salt = randomBytes(2).toString("hex").toUpperCase();
let seq = 0;
function nextId(): string {
  seq = (seq + 1) % 36 ** 6;
  return `${prefix}${salt}${seq.toString(36).toUpperCase().padStart(6, "0")}`;
}

export function createPostOffice(opts: PostOfficeOptions): PostOffice {
  const filters = opts.filters ?? [];

  async function post(letter: Letter): Promise<Posted> {
    const ctx = opts.context();
    const id = letter.id ?? nextId();
    const work: Work = {
      letter,
      id,
      // The correlation id in every stage's lines (the queue keeps it for the delivery engine's).
      log: FieldsLogger.of(letter.log ?? ctx.log, { cid: id }),
      body: letter.body,
      received: Buffer.alloc(0),
      authFields: Buffer.alloc(0),
      auth: null,
      hold: null,
      filterFields: Buffer.alloc(0),
      folders: new Map(),
      accountIds: [...new Set(letter.recipients.flatMap((r) => r.accountIds))],
      remote: remoteRecipients(letter.recipients),
      discarded: false,
      queued: false,
      verdicts: [],
      redirects: [],
      notifications: [],
      spam: null,
      spamByAccount: new Map(),
      virus: null,
      plans: new Map(),
      sieveReplies: [],
    };
    try {
      for (const stage of stages) {
        if (!stage.doors.has(letter.door)) continue;
        if ((await stage.run(work, { ctx, filters })) === "stop") break;
      }
    } catch (e) {
      if (e instanceof PostOfficeError) {
        if (e.kind === "virus") ctx.metrics.virusFound();
        ctx.metrics.messageRejected(letter.door, rejectReason(e));
      }
      throw e;
    }
    ctx.metrics.messageAccepted(letter.door);
    return {
      id: work.id,
      local: work.discarded ? 0 : work.accountIds.length,
      remote: work.discarded ? 0 : work.remote.length,
      discarded: work.discarded,
      verdicts: work.verdicts,
    };
  }

  return {
    post,
    async postSystem(mail) {
      const ctx = opts.context();
      // A DSN about mail we forwarded goes to our SRS address: reversed here, not sent to ourselves.
      const dest = await resolveRecipient(ctx.store.directory, mail.to, {
        disabledAccounts: ctx.config.delivery.disabledAccounts,
        ...(await srsResolveOption(ctx)),
      });
      if (dest.kind === "unknown" || dest.kind === "disabled") return null;
      return post({
        door: "system",
        mailFrom: "",
        recipients: [
          {
            address: mail.to,
            accountIds: dest.kind === "local" ? dest.accountIds : [],
            remote: dest.kind === "local" ? dest.remote : [dest.address],
            notify: mail.notify ?? null,
          },
        ],
        body: mail.body,
        origin: { kind: "local" },
        accountId: mail.accountId,
      });
    },
  };
}

/** The /metrics reason of a refusal. A filter's "rejected" is the spam filter's or another's;
 *  Sieve's is the recipients' rules. */
function rejectReason(e: PostOfficeError): RejectReason {
  switch (e.kind) {
    case "virus":
      return "virus";
    case "dmarc-reject":
    case "dmarc-temporary":
      return "auth";
    case "rejected":
      return e.filter === undefined ? "sieve" : e.filter === "spam" ? "spam" : "other";
    case "filter-temporary":
      return "other";
    case "too-many-hops":
    case "malformed":
    case "sending-limit":
      return "policy";
  }
}
