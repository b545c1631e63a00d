// Sending a stored Email (RFC 8621 7.5): the JMAP door of the post office (src/postoffice, door
// "jmap"). Here the same rules as SMTP submission: the envelope sender must pass canSendAs, the
// author fields (From, Sender, Resent-From, Resent-Sender) the same check as SMTP's
// (src/delivery/author-fields.ts), every recipient must resolve; Bcc is removed from the copy
// that is sent (RFC 8621 7.5: the server strips it). The post office then adds our Received
// field, files local copies, DKIM-signs and queues remote ones, exactly as for port 587.
import { parseAddress } from "../../delivery/address.js";
import { checkAuthorFields, describeAuthorProblem } from "../../delivery/author-fields.js";
import { resolveRecipient } from "../../delivery/resolve.js";
import { canSendAs } from "../../delivery/send-as.js";
import { MISSING_DOMAIN, MISSING_MAILBOX, parseAddressList } from "../../mime/address.js";
import { fieldValue, scanHeader } from "../../mime/headers.js";
import { PostOfficeError } from "../../postoffice/errors.js";
import type { Recipient } from "../../postoffice/types.js";
import type { Account } from "../../store/types.js";
import type { JmapServices } from "../core/types.js";

export class SubmitError extends Error {
  constructor(
    readonly type:
      | "forbiddenFrom"
      | "forbiddenMailFrom"
      | "invalidRecipients"
      | "noRecipients"
      | "invalidEmail"
      | "forbiddenToSend",
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
  const recipients: Recipient[] = [];
  const bad: string[] = [];
  const delivered = new Map<string, "yes" | "queued">();
  for (const r of env.rcptTo) {
    if (!parseAddress(r)) {
      bad.push(r);
      continue;
    }
    const res = await resolveRecipient(dir, r, {
      disabledAccounts: services.app.config.delivery.disabledAccounts,
    });
    if (res.kind === "unknown" || res.kind === "disabled") bad.push(r);
    else if (res.kind === "remote") {
      recipients.push({ address: r, accountIds: [], remote: [r] });
      delivered.set(r, "queued");
    } else {
      recipients.push({ address: r, accountIds: res.accountIds, remote: res.remote });
      delivered.set(r, res.remote.length > 0 ? "queued" : "yes");
    }
  }
  if (bad.length > 0)
    throw new SubmitError("invalidRecipients", "unknown recipients", { invalidRecipients: bad });
  try {
    const posted = await services.app.postOffice.post({
      door: "jmap",
      mailFrom: env.mailFrom,
      recipients,
      body: stripBcc(body),
      origin: { kind: "http", ip: null, tls: null },
      accountId: account.id,
    });
    return { local: posted.local, remote: posted.remote, delivered };
  } catch (e) {
    // RFC 8621 7.5 forbiddenToSend: the server does not permit the user to send this message
    // now (a filter refused it, or the account's sending limit: not tooManyRecipients, which is
    // about one message's envelope); the post office's other refusals are for port 25 only.
    if (e instanceof PostOfficeError)
      throw new SubmitError(
        "forbiddenToSend",
        e.kind === "sending-limit"
          ? `Sending limit reached: ${e.message}`
          : e.kind === "virus"
            ? `Message refused: virus found (${e.message})`
            : e.message,
      );
    throw e;
  }
}
