// Anti-spoofing on submission (RFC 6409 §6.1 lets the MSA enforce it): an authenticated user
// may use as envelope sender and header From only addresses their account owns (canSendAs:
// own address, sub-addresses, aliases naming them, send-as grants). A POP-before-SMTP session
// has no account, so the only check possible is that the address is in one of our domains.
// Inbound (anonymous) mail is not checked here: SPF/DKIM/DMARC are a separate concern.
import { parseAddress } from "../../delivery/address.js";
import { isLocalDomain } from "../../delivery/lookup.js";
import { canSendAs } from "../../delivery/send-as.js";
import type { DirectoryStore } from "../../store/types.js";
import { SmtpError } from "../errors.js";
import type { Identity } from "../state.js";

/** Throws SmtpError("sender-denied") when `identity` may not send as `address`. */
export async function checkSender(
  directory: DirectoryStore,
  identity: Identity,
  address: string,
  where: "envelope" | "header",
): Promise<void> {
  if (identity.kind === "anonymous") return;
  const label = where === "envelope" ? "MAIL FROM" : "From header";
  if (identity.kind === "account") {
    if (await canSendAs(directory, identity.account, address)) return;
    throw new SmtpError(
      "sender-denied",
      `${label} <${address}> is not owned by user ${identity.account.address}`,
    );
  }
  const a = parseAddress(address);
  if (a && (await isLocalDomain(directory, a.domain))) return;
  throw new SmtpError("sender-denied", `${label} <${address}> is not in a local domain (POP-before-SMTP)`);
}
