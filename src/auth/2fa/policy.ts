// Who must have two-factor login (auth.require2fa): nobody, the admins — global and domain
// administrators alike, since either can change other people's accounts — or every account.
import type { Config } from "../../config/schema.js";
import type { Account, DirectoryStore } from "../../store/types.js";

export interface PolicyContext {
  config: { auth: Config["auth"] };
  store: { directory: Pick<DirectoryStore, "listAdminDomains"> };
}

export async function twoFactorRequired(
  ctx: PolicyContext,
  account: Pick<Account, "id" | "isAdmin">,
): Promise<boolean> {
  const rule = ctx.config.auth.require2fa;
  if (rule === "all") return true;
  if (rule !== "admins") return false;
  return account.isAdmin || (await ctx.store.directory.listAdminDomains(account.id)).length > 0;
}
