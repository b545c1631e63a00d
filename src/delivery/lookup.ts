// Case-insensitive directory look-ups. Addresses are stored "local@domain" with a lower-case
// domain (A-labels for IDNs) but the local part as the user typed it, and a backend may compare
// exactly; so we ask for the few spellings that can be stored: local as given and lower-cased,
// domain as an A-label and (for IDNs) as a lower-case U-label. Usually that is one query.

import type { Account, Alias, DirectoryStore } from "../store/types.js";
import { normalizeDomain, type ParsedAddress, unquoteLocal } from "./address.js";

export function domainSpellings(domain: string): string[] {
  return unique([normalizeDomain(domain), domain.toLowerCase()]);
}

export function addressSpellings(a: ParsedAddress): string[] {
  const given = unquoteLocal(a.local);
  const locals = unique([given, given.toLowerCase()]);
  const out: string[] = [];
  for (const d of domainSpellings(a.domain)) for (const l of locals) out.push(`${l}@${d}`);
  return unique(out);
}

export async function findAccount(directory: DirectoryStore, a: ParsedAddress): Promise<Account | null> {
  for (const s of addressSpellings(a)) {
    const acc = await directory.getAccountByAddress(s);
    if (acc) return acc;
  }
  return null;
}

export async function findAlias(directory: DirectoryStore, a: ParsedAddress): Promise<Alias | null> {
  for (const s of addressSpellings(a)) {
    const alias = await directory.getAlias(s);
    if (alias) return alias;
  }
  return null;
}

export async function findCatchAll(directory: DirectoryStore, domain: string): Promise<Alias | null> {
  for (const d of domainSpellings(domain)) {
    const alias = await directory.getAlias(`@${d}`);
    if (alias) return alias;
  }
  return null;
}

export async function isLocalDomain(directory: DirectoryStore, domain: string): Promise<boolean> {
  if (domain.startsWith("[")) return false; // address literals: we do not know our own IPs here
  for (const d of domainSpellings(domain)) if (await directory.getDomain(d)) return true;
  return false;
}

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}
