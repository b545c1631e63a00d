// Anti-spoofing on submission (RFC 6409 §6.1 lets the MSA enforce it): an authenticated user
// may use as envelope sender and in the author fields (From, Sender, Resent-From, Resent-Sender:
// src/delivery/author-fields.ts) only addresses their account owns (canSendAs: own address,
// sub-addresses, aliases naming them, send-as grants), and no display name that shows another
// address. A POP-before-SMTP session has no account, so the only check possible is that the
// address is in one of our domains. Inbound (anonymous) mail is not checked here: SPF/DKIM/DMARC
// are a separate concern (src/mailauth).
import { parseAddress } from "../../delivery/address.js";
import { checkAuthorFields, describeAuthorProblem } from "../../delivery/author-fields.js";
import { isLocalDomain } from "../../delivery/lookup.js";
import { canSendAs } from "../../delivery/send-as.js";
import type { DirectoryStore } from "../../store/types.js";
import { SmtpError } from "../errors.js";
import type { Identity } from "../state.js";

/** Whether `identity` may send as `address` (always, for inbound mail). */
export async function mayUseAddress(
  directory: DirectoryStore,
  identity: Identity,
  address: string,
): Promise<boolean> {
  if (identity.kind === "anonymous") return true;
  if (identity.kind === "account") return canSendAs(directory, identity.account, address);
  const a = parseAddress(address);
  return a !== null && (await isLocalDomain(directory, a.domain));
}

function whose(identity: Identity): string {
  return identity.kind === "account"
    ? `user ${identity.account.address}`
    : "a local domain (POP-before-SMTP)";
}

/** Throws SmtpError("sender-denied") when `identity` may not use `address` as MAIL FROM. */
export async function checkSender(
  directory: DirectoryStore,
  identity: Identity,
  address: string,
): Promise<void> {
  if (await mayUseAddress(directory, identity, address)) return;
  const owner = identity.kind === "account" ? `not owned by ${whose(identity)}` : `not in ${whose(identity)}`;
  throw new SmtpError("sender-denied", `MAIL FROM <${address}> is ${owner}`);
}

/** Throws when an author field names an address `identity` may not use (553 5.7.1) or shows
 *  another address as its display name (550 5.7.1). Nothing to check for inbound mail. */
export async function checkAuthors(
  directory: DirectoryStore,
  identity: Identity,
  message: Buffer,
  allowAddressDisplayNames: boolean,
): Promise<void> {
  if (identity.kind === "anonymous") return;
  const problem = await checkAuthorFields(message, {
    mayUse: (a) => mayUseAddress(directory, identity, a),
    allowAddressDisplayNames,
  });
  if (!problem) return;
  if (problem.kind === "display-name" || problem.kind === "long-name")
    throw new SmtpError("author-denied", describeAuthorProblem(problem, whose(identity)));
  if (problem.kind === "not-owned" && identity.kind !== "account")
    throw new SmtpError(
      "sender-denied",
      `${problem.field} header <${problem.address}> is not in ${whose(identity)}`,
    );
  throw new SmtpError("sender-denied", describeAuthorProblem(problem, whose(identity)));
}
