// What a domain administrator may touch (issue 15): accounts of its domains, except accounts that
// administer more than it does (a global admin, or a domain admin of a domain outside its scope) —
// else resetting such an account's password would hand it their wider rights. A global admin may
// touch every account. Each "domain-admin" route goes through these, so a refusal is a 403 from
// the server whatever the page showed.
import { mustCover, scopeCovers } from "../http/admin-scope.js";
import { HttpError } from "../http/response.js";
import type { AdminContext } from "../http/router.js";
import type { Account } from "../store/types.js";

/** Whether this admin may manage `a`, whose administered domains are `aDomains`. */
export function mayManage(rc: AdminContext, a: Account, aDomains: readonly string[]): boolean {
  const scope = rc.adminScope;
  if (scope.kind === "global") return true;
  if (!scopeCovers(scope, a.domain)) return false;
  if (a.isAdmin) return false;
  return aDomains.every((d) => scopeCovers(scope, d));
}

/** The account named by the route's :id: 404 when there is none, 403 outside this admin's reach. */
export async function scopedAccount(rc: AdminContext): Promise<Account> {
  const id = Number(rc.params.id);
  const { directory } = rc.app.ctx.store;
  const a = Number.isSafeInteger(id) ? await directory.getAccount(id) : null;
  if (!a) throw new HttpError(404, "No such user.");
  mustCover(rc.adminScope, a.domain);
  if (!mayManage(rc, a, await directory.listAdminDomains(a.id)))
    throw new HttpError(403, "That account is an administrator beyond your domains.");
  return a;
}

/** The accounts this admin sees: all, or those of its domains. */
export async function visibleAccounts(rc: AdminContext): Promise<Account[]> {
  const { directory } = rc.app.ctx.store;
  const scope = rc.adminScope;
  if (scope.kind === "global") return directory.listAccounts();
  const lists = await Promise.all([...scope.domains].sort().map((d) => directory.listAccounts(d)));
  return lists.flat();
}

/** The domain part of an address or "@domain" catch-all (lower-cased), or null. */
export function domainOf(address: string): string | null {
  const at = address.lastIndexOf("@");
  return at < 0 || at === address.length - 1 ? null : address.slice(at + 1).toLowerCase();
}
