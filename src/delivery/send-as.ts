// Which sender addresses an authenticated account may use (MAIL FROM and From: on submission,
// RFC 6409 §6.1 lets the MSA check this). Allowed:
//   - the account's own address, and its sub-addresses (alice+lists@ for alice@)
//   - an alias whose targets name the account's address directly (sales@ -> alice@); not
//     nested aliases and not the catch-all, which would let one user send as anyone
//   - explicit send-as grants (directory.grantSendAs): an address, or "@domain" for any
//     address of that domain (the way to allow a catch-all owner to send as everyone)
// Comparisons are case-insensitive (address.ts).

import type { Account, DirectoryStore } from "../store/types.js";
import { addressKey, normalizeDomain, type ParsedAddress, parseAddress, plusBase } from "./address.js";
import { findAlias } from "./lookup.js";

export async function canSendAs(
  directory: DirectoryStore,
  account: Account,
  address: string,
): Promise<boolean> {
  const a = parseAddress(address);
  const own = parseAddress(account.address);
  if (!a || !own) return false;
  const ownKey = addressKey(own);
  const base = plusBase(a.local);
  const forms: ParsedAddress[] = base === null ? [a] : [a, { local: base, domain: a.domain }];
  const keys = forms.map(addressKey);
  if (keys.includes(ownKey)) return true;

  const domain = normalizeDomain(a.domain);
  for (const grant of await directory.listSendAs(account.id)) {
    const g = grant.trim();
    if (g.startsWith("@")) {
      if (normalizeDomain(g.slice(1)) === domain) return true;
      continue;
    }
    const p = parseAddress(g);
    if (p && keys.includes(addressKey(p))) return true;
  }

  for (const f of forms) {
    const alias = await findAlias(directory, f);
    if (!alias) continue;
    for (const target of alias.targets) {
      const t = parseAddress(target.trim());
      if (t && addressKey(t) === ownKey) return true;
    }
  }
  return false;
}
