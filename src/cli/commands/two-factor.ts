// yubin user 2fa status|reset ADDRESS — an account's two-factor login (issue 15, src/auth/2fa/).
// status: whether an authenticator app is set up, how many recovery codes are left, the passkeys.
// reset: removes all three (a lost phone with no recovery codes left — above all the only admin's,
// who cannot reach the admin page's reset when auth.require2fa asks admins for 2FA). A running
// server sees it at once: the rows are in the shared database.
import type { Account, Store } from "../../store/types.js";
import { onlyFlags, type ParsedArgs } from "../args.js";
import { type CliEnv, print } from "../env.js";
import { UsageError } from "../errors.js";

const usage = "usage: yubin user 2fa status ADDRESS | yubin user 2fa reset ADDRESS";

const when = (d: Date | null) => (d ? d.toISOString().replace(/\.\d{3}Z$/, "Z") : "never");

/** yubin user 2fa SUB ADDRESS (args.positional starts at SUB); `open` runs with the store. */
export async function twoFactorCommand(
  env: CliEnv,
  args: ParsedArgs,
  open: (fn: (store: Store, account: Account) => Promise<void>, address: string | undefined) => Promise<void>,
): Promise<void> {
  const [sub, address, ...rest] = args.positional;
  onlyFlags(args, []);
  if (rest.length > 0 || (sub !== "status" && sub !== "reset")) throw new UsageError(usage);
  await open(async (store, account) => {
    const sf = store.secondFactors;
    if (sub === "reset") {
      await sf.clear(account.id);
      print(
        env,
        `two-factor login reset for ${account.address}: authenticator, recovery codes and passkeys removed`,
      );
      return;
    }
    const [totp, codes, creds] = await Promise.all([
      sf.totp(account.id),
      sf.recoveryCodeCount(account.id),
      sf.credentials(account.id),
    ]);
    const on = totp?.confirmed === true || creds.length > 0;
    print(env, `two-factor login: ${on ? "on" : "off"}`);
    print(env, `authenticator app: ${totp?.confirmed ? "set up" : "none"}`);
    print(env, `recovery codes: ${codes.unused} of ${codes.total} unused`);
    for (const c of creds)
      print(env, `passkey\t${c.name}\tadded ${when(c.createdAt)}\tlast used ${when(c.lastUsedAt)}`);
  }, address);
}
