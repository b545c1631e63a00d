// Where mail for an address goes. For one of our domains, in this order:
//   1. an account with that address
//   2. an alias with that address: each target resolved again (recursively), local targets
//      to accounts, foreign ones collected as remote forwards
//   3. sub-addressing: user+tag@domain as user@domain (account, then alias)
//   4. postmaster@ and abuse@ (also as postmaster+tag@): the domain's admins (resolve-roles.ts),
//      before the catch-all, so reports about our mail reach whoever runs the server
//   5. the domain's catch-all alias @domain
//   6. otherwise unknown (SMTP answers 550 5.1.1, RFC 5321 §3.6.2 / RFC 3463)
// Before all that, with opts.srs: SRS0=…@srsDomain (a bounce to mail we forwarded) resolves to
// the original sender as a remote target, when its hash and age are valid; else unknown.
// A disabled account receives nothing unless the caller says "accept" ([delivery]
// disabledAccounts): it is left out of an alias's targets, and an address that reaches only
// disabled accounts is "disabled" (550 5.2.1), so nobody's mail piles up unseen.
// Foreign domains resolve to remote (relaying is the SMTP layer's decision, not ours).
// Alias graphs may have cycles: each address is expanded once per resolution, nesting depth
// and the number of addresses visited are bounded, so a bad alias table cannot hang delivery.
// Domains and local parts compare case-insensitively (see address.ts).

import { srsTag } from "../outbound/srs.js";
import type { Account, DeliveryFacts, DirectoryStore } from "../store/types.js";
import { addressKey, type ParsedAddress, parseAddress, plusBase } from "./address.js";
import {
  addressSpellings,
  domainSpellings,
  findAccount,
  findAlias,
  findCatchAll,
  isLocalDomain,
} from "./lookup.js";
import { isRoleLocalPart, roleRecipients } from "./resolve-roles.js";

export type Resolution =
  /** The address is ours: deliver to these accounts, and forward to these foreign addresses
   *  (an alias may have only remote targets, then accountIds is empty). */
  | {
      kind: "local";
      accountIds: number[];
      remote: string[];
      /** What the post office reads of the account, when the address is an account's own (read
       *  with it in one look-up); absent for accounts reached through aliases. */
      facts?: ReadonlyMap<number, DeliveryFacts>;
    }
  /** A foreign domain. */
  | { kind: "remote"; address: string }
  /** Ours but nobody receives it (or malformed): reject. */
  | { kind: "unknown"; reason: string }
  /** Ours, but every account it reaches is disabled: reject (550 5.2.1). */
  | { kind: "disabled" };

export interface ResolveOptions {
  /** Deepest alias nesting followed (an alias of an alias … ). */
  maxDepth?: number;
  /** Most addresses examined for one recipient (bounds fan-out of large or looping aliases). */
  maxAddresses?: number;
  /** Disabled accounts: left out ("reject", the default) or delivered to ("accept"). */
  disabledAccounts?: "reject" | "accept";
  /** SRS (src/outbound/srs.ts): an SRS0/SRS1 address in this domain is a bounce to mail we
   *  forwarded, sent on to the address it reverses to; invalid or expired ones are unknown. */
  srs?: { domain: string; reverse(address: string): string | null };
}

export const DEFAULT_ALIAS_MAX_DEPTH = 10;
export const DEFAULT_MAX_ADDRESSES = 1000;

interface Walk {
  directory: DirectoryStore;
  maxDepth: number;
  maxAddresses: number;
  seen: Set<string>;
  localDomain: Map<string, boolean>;
  accountIds: Set<number>;
  remote: Map<string, string>; // key -> address as written in the alias
  truncated: boolean;
  acceptDisabled: boolean;
  /** A disabled account was reached and left out. */
  skippedDisabled: boolean;
  /** The address whose account the direct look-up already found missing (not asked again). */
  noAccount: string | null;
}

export async function resolveRecipient(
  directory: DirectoryStore,
  address: string,
  opts: ResolveOptions = {},
): Promise<Resolution> {
  const a = parseAddress(address);
  if (!a) return { kind: "unknown", reason: "malformed address" };
  if (opts.srs && a.domain.toLowerCase() === opts.srs.domain && srsTag(a.local) !== null) {
    const back = opts.srs.reverse(address);
    if (back === null) return { kind: "unknown", reason: "invalid or expired SRS address" };
    // Resolved once more (without SRS: an SRS1 reverses to someone else's SRS0, never to ours).
    const r = await resolveRecipient(directory, back, { ...opts, srs: undefined });
    return r.kind === "remote" ? { kind: "local", accountIds: [], remote: [back] } : r;
  }
  const w: Walk = {
    directory,
    maxDepth: opts.maxDepth ?? DEFAULT_ALIAS_MAX_DEPTH,
    maxAddresses: opts.maxAddresses ?? DEFAULT_MAX_ADDRESSES,
    seen: new Set(),
    localDomain: new Map(),
    accountIds: new Set(),
    remote: new Map(),
    truncated: false,
    acceptDisabled: opts.disabledAccounts === "accept",
    skippedDisabled: false,
    noAccount: null,
  };
  // The common case, an account's own address (or another domain's), in one look-up that also
  // reads what the post office needs of the account (one round trip on PostgreSQL, not five).
  if (a.domain.startsWith("[")) return { kind: "remote", address }; // as isLocalDomain says
  const direct = await directory.lookupRecipient({
    addresses: addressSpellings(a),
    domains: domainSpellings(a.domain),
  });
  if (!direct.domainIsOurs) return { kind: "remote", address };
  w.localDomain.set(a.domain.toLowerCase(), true);
  if (direct.account) {
    const { account, facts } = direct.account;
    if (account.disabled && !w.acceptDisabled) return { kind: "disabled" };
    return { kind: "local", accountIds: [account.id], remote: [], facts: new Map([[account.id, facts]]) };
  }
  w.noAccount = addressKey(a);
  await expand(w, a, address, 0);
  if (w.accountIds.size === 0 && w.remote.size === 0) {
    if (w.skippedDisabled) return { kind: "disabled" };
    const reason = w.truncated ? "alias nesting too deep or too large" : "no such user";
    return { kind: "unknown", reason };
  }
  return { kind: "local", accountIds: [...w.accountIds], remote: [...w.remote.values()] };
}

async function expand(w: Walk, a: ParsedAddress, written: string, depth: number): Promise<void> {
  const key = addressKey(a);
  if (w.seen.has(key)) return; // a cycle, or a target reached twice: once is enough
  if (depth > w.maxDepth || w.seen.size >= w.maxAddresses) {
    w.truncated = true;
    return;
  }
  w.seen.add(key);

  if (!(await isOurs(w, a.domain))) {
    w.remote.set(key, written);
    return;
  }
  const account = key === w.noAccount ? null : await findAccount(w.directory, a);
  if (account) {
    addAccount(w, account);
    return;
  }
  let alias = await findAlias(w.directory, a);
  const base = plusBase(a.local);
  if (!alias && base !== null) {
    const b = { local: base, domain: a.domain };
    const baseAccount = await findAccount(w.directory, b);
    if (baseAccount) {
      addAccount(w, baseAccount);
      return;
    }
    alias = await findAlias(w.directory, b);
  }
  if (!alias && (isRoleLocalPart(a.local) || (base !== null && isRoleLocalPart(base)))) {
    const admins = await roleRecipients(w.directory, a.domain);
    for (const id of admins) w.accountIds.add(id);
    if (admins.length > 0) return;
  }
  alias ??= await findCatchAll(w.directory, a.domain);
  if (!alias) return;
  for (const target of alias.targets) {
    const t = parseAddress(target.trim());
    if (t) await expand(w, t, target.trim(), depth + 1);
  }
}

function addAccount(w: Walk, account: Account): void {
  if (account.disabled && !w.acceptDisabled) w.skippedDisabled = true;
  else w.accountIds.add(account.id);
}

async function isOurs(w: Walk, domain: string): Promise<boolean> {
  const k = domain.toLowerCase();
  let ours = w.localDomain.get(k);
  if (ours === undefined) {
    ours = await isLocalDomain(w.directory, domain);
    w.localDomain.set(k, ours);
  }
  return ours;
}

export { canSendAs } from "./send-as.js";
