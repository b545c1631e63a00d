// Role addresses every domain we receive mail for must have, whether or not anyone created them:
// postmaster@ (RFC 5321 §4.5.1: "MUST" accept mail for it, case-insensitively) and abuse@
// (RFC 2142 §2-§4: where complaints about a domain's mail go). When neither an account nor an
// alias has the address, the resolver routes it to the domain's administrators: the enabled
// global admin accounts of that domain and the enabled domain administrators of it (accounts of
// any domain given it with `yubin user admin ADDRESS --domain D`), else every enabled global admin
// of the server. That holds for domains added later too, since it is decided per message, not at
// `domain add`.

import type { DirectoryStore } from "../store/types.js";
import { normalizeDomain, normalizeLocal } from "./address.js";

const ROLE_LOCAL_PARTS = new Set(["postmaster", "abuse"]);

/** True for postmaster and abuse, however they are spelled (case, quoting). */
export function isRoleLocalPart(local: string): boolean {
  return ROLE_LOCAL_PARTS.has(normalizeLocal(local));
}

/** The accounts that receive `domain`'s role addresses by default; [] when the server has no
 *  enabled admin (then the address is unknown, as before). */
export async function roleRecipients(directory: DirectoryStore, domain: string): Promise<number[]> {
  const admins = async (d?: string) =>
    (await directory.listAccounts(d)).filter((a) => a.isAdmin && !a.disabled).map((a) => a.id);
  const d = normalizeDomain(domain);
  const domainAdmins = (await directory.listDomainAdmins(d)).filter((a) => !a.disabled).map((a) => a.id);
  const own = [...new Set([...(await admins(d)), ...domainAdmins])];
  return own.length > 0 ? own : admins();
}
