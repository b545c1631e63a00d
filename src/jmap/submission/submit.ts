// Sending a stored Email (RFC 8621 7.5): the same rules as SMTP submission (src/smtp/message/
// accept.ts): the envelope sender must pass canSendAs, and the author fields (From, Sender,
// Resent-From, Resent-Sender) the same check as SMTP's (src/delivery/author-fields.ts), local
// recipients get one durable store.mail.deliver (with Return-Path), remote ones one
// store.queue.enqueue. Bcc is removed from the copy that is sent (RFC 8621 7.5: the server
// strips it). This duplicates the storing half of acceptMessage on purpose, while accept.ts is
// being changed for DKIM; both should later share one function.
import { parseAddress } from "../../delivery/address.js";
import { checkAuthorFields, describeAuthorProblem } from "../../delivery/author-fields.js";
import { resolveRecipient } from "../../delivery/resolve.js";
import { canSendAs } from "../../delivery/send-as.js";
import { sendVacationReplies } from "../../delivery/vacation.js";
import { MISSING_DOMAIN, MISSING_MAILBOX, parseAddressList } from "../../mime/address.js";
import { fieldValue, scanHeader } from "../../mime/headers.js";
import { returnPathHeader } from "../../smtp/message/trace.js";
import type { Account } from "../../store/types.js";
import type { JmapServices } from "../core/types.js";

export class SubmitError extends Error {
  constructor(
    readonly type:
      | "forbiddenFrom"
      | "forbiddenMailFrom"
      | "invalidRecipients"
      | "noRecipients"
      | "invalidEmail",
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export interface Envelope {
  mailFrom: string;
  rcptTo: string[];
}

function headerAddresses(body: Buffer, names: string[]): { list: string[]; invalid: boolean } {
  const { fields } = scanHeader(body, 0, body.length);
  const list: string[] = [];
  let invalid = false;
  for (const f of fields) {
    if (!names.includes(f.lname)) continue;
    for (const a of parseAddressList(fieldValue(body, f))) {
      if (a.mailbox === null || a.host === null) continue;
      if (a.mailbox === MISSING_MAILBOX || a.host === MISSING_DOMAIN) invalid = true;
      else list.push(`${a.mailbox}@${a.host}`);
    }
  }
  return { list, invalid };
}

/** The message without its Bcc fields. */
export function stripBcc(body: Buffer): Buffer {
  const { fields, bodyStart } = scanHeader(body, 0, body.length);
  const keep = fields.filter((f) => f.lname !== "bcc").map((f) => body.subarray(f.start, f.end));
  if (keep.length === fields.length) return body;
  return Buffer.concat([...keep, Buffer.from("\r\n"), body.subarray(bodyStart)]);
}

/** The envelope from the message when the client gives none (RFC 8621 7.5). */
export function envelopeFrom(body: Buffer, fromAddress: string): Envelope {
  const rcpt = headerAddresses(body, ["to", "cc", "bcc"]).list;
  return { mailFrom: fromAddress, rcptTo: [...new Set(rcpt.map((r) => r.toLowerCase()))] };
}

/** Per recipient: "yes" when stored in a local mailbox, "queued" when queued for a remote
 *  server (RFC 8621 7 DeliveryStatus.delivered; the queue does not report back here). */
export interface SubmitResult {
  local: number;
  remote: number;
  delivered: Map<string, "yes" | "queued">;
}

export async function submit(
  services: JmapServices,
  account: Account,
  body: Buffer,
  env: Envelope,
): Promise<SubmitResult> {
  const dir = services.app.store.directory;
  if (!(await canSendAs(dir, account, env.mailFrom))) {
    throw new SubmitError("forbiddenMailFrom", `not allowed to send as ${env.mailFrom}`);
  }
  const from = headerAddresses(body, ["from"]);
  if (from.invalid || from.list.length === 0)
    throw new SubmitError("invalidEmail", "the Email has no valid From");
  const problem = await checkAuthorFields(body, {
    mayUse: (a) => canSendAs(dir, account, a),
    allowAddressDisplayNames: services.app.config.smtp.allowAddressDisplayNames,
  });
  // RFC 8621 7.5 forbiddenFrom: the server does not permit the user to send a message with this
  // From (we apply it to every author field, and to display names showing another address).
  if (problem)
    throw new SubmitError(
      problem.kind === "invalid" ? "invalidEmail" : "forbiddenFrom",
      describeAuthorProblem(problem, `user ${account.address}`),
    );
  if (env.rcptTo.length === 0) throw new SubmitError("noRecipients", "no recipients");
  const accountIds = new Set<number>();
  const rcptsOf = new Map<number, string[]>(); // local account → envelope recipients naming it
  const remote = new Map<string, string>();
  const bad: string[] = [];
  const delivered = new Map<string, "yes" | "queued">();
  for (const r of env.rcptTo) {
    if (!parseAddress(r)) {
      bad.push(r);
      continue;
    }
    const res = await resolveRecipient(dir, r);
    if (res.kind === "unknown") bad.push(r);
    else if (res.kind === "remote") {
      remote.set(r.toLowerCase(), r);
      delivered.set(r, "queued");
    } else {
      for (const id of res.accountIds) {
        accountIds.add(id);
        rcptsOf.set(id, [...(rcptsOf.get(id) ?? []), r]);
      }
      for (const x of res.remote) remote.set(x.toLowerCase(), x);
      delivered.set(r, res.remote.length > 0 ? "queued" : "yes");
    }
  }
  if (bad.length > 0)
    throw new SubmitError("invalidRecipients", "unknown recipients", { invalidRecipients: bad });
  const sent = stripBcc(body);
  if (accountIds.size > 0) {
    const local = Buffer.concat([Buffer.from(returnPathHeader(env.mailFrom), "utf8"), sent]);
    await services.app.store.mail.deliver(
      local,
      [...accountIds].map((accountId) => ({ accountId })),
    );
    // The same vacation auto-replies as mail that came in over SMTP (never throws).
    await sendVacationReplies(services.app, {
      body: sent,
      mailFrom: env.mailFrom,
      recipients: [...rcptsOf].map(([accountId, addresses]) => ({ accountId, addresses })),
    });
  }
  if (remote.size > 0) {
    await services.app.store.queue.enqueue({
      body: sent,
      mailFrom: env.mailFrom,
      recipients: [...remote.values()].map((address) => ({ address })),
      accountId: account.id,
    });
    services.app.kickQueue?.(); // leave now, not at the delivery engine's next poll
  }
  return { local: accountIds.size, remote: remote.size, delivered };
}
