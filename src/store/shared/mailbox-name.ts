// A mailbox name as both stores keep it (sqlite/mailboxes.ts, postgres/mailboxes.ts, both
// imports): "/" is the hierarchy delimiter and INBOX is matched case-insensitively (RFC 3501 5.1;
// "inbox/x" is "INBOX/x" too). Also what a Sieve fileinto names (sieve/pigeonhole/execute.ts).
import { StoreError } from "../errors.js";

/** The stored form of `name`, or StoreError "invalid": empty, longer than `maxBytes` octets of
 *  UTF-8, holding a control character or a LIST wildcard, or with an empty hierarchy level. */
export function normalizeMailboxName(name: string, maxBytes: number): string {
  if (typeof name !== "string" || name === "") throw new StoreError("invalid", "empty mailbox name");
  if (Buffer.byteLength(name) > maxBytes) throw new StoreError("invalid", "mailbox name too long");
  // Control characters and LIST wildcards (RFC 3501 6.3.8) would make names unlistable.
  if (/[\x00-\x1f\x7f*%]/.test(name))
    throw new StoreError("invalid", `invalid mailbox name ${JSON.stringify(name)}`);
  const segs = name.split("/");
  if (segs.some((s) => s === ""))
    throw new StoreError("invalid", `invalid mailbox name ${JSON.stringify(name)}`);
  if (segs[0]!.toUpperCase() === "INBOX") segs[0] = "INBOX";
  return segs.join("/");
}
