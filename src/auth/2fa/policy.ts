// Who must have two-factor login (auth.require2fa): nobody, the admins, or every account.
import type { Config } from "../../config/schema.js";
import type { Account } from "../../store/types.js";

export function twoFactorRequired(auth: Config["auth"], account: Pick<Account, "isAdmin">): boolean {
  return auth.require2fa === "all" || (auth.require2fa === "admins" && account.isAdmin);
}
