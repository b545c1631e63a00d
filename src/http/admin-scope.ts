// What an administrator may administer: everything (a global admin, accounts.isAdmin) or a set of
// domains (a domain administrator: their users, aliases and DNS page). The dispatcher works it out
// for every "admin" and "domain-admin" route before the handler runs; "admin" routes (server
// settings, the queue, spam settings, domains, making admins) are for global admins only, so a
// route is global unless it says otherwise, and a "domain-admin" handler scopes what it lists and
// refuses (403) any target outside the scope.
import type { Account, DirectoryStore } from "../store/types.js";
import { HttpError } from "./response.js";

export type AdminScope = { kind: "global" } | { kind: "domains"; domains: ReadonlySet<string> };

export const globalScope: AdminScope = { kind: "global" };

/** The account's scope, or null when it administers nothing. */
export async function adminScopeOf(
  directory: Pick<DirectoryStore, "listAdminDomains">,
  account: Pick<Account, "id" | "isAdmin">,
): Promise<AdminScope | null> {
  if (account.isAdmin) return globalScope;
  const domains = await directory.listAdminDomains(account.id);
  return domains.length > 0 ? { kind: "domains", domains: new Set(domains) } : null;
}

export function scopeCovers(scope: AdminScope, domain: string): boolean {
  return scope.kind === "global" || scope.domains.has(domain.toLowerCase());
}

/** 403 unless the scope covers `domain` (a domain admin naming another domain's user, alias or
 *  DNS page; the same answer whether or not that target exists, so nothing leaks). */
export function mustCover(scope: AdminScope, domain: string): void {
  if (!scopeCovers(scope, domain)) throw new HttpError(403, "That is not one of the domains you administer.");
}
