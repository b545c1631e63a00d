// yubin user admin ADDRESS --domain D [--domain D2 …] | --global | --none — an account's
// administrator role (issue 15): administrator of the named domains (their users, aliases and DNS
// page in the admin pages: src/admin/scope.ts), global administrator (everything, including making
// administrators), or none. The domains replace whatever the account administered before; each
// must be one of ours. A running server reads the role at each admin request, so it applies at once.
import type { Config } from "../../config/schema.js";
import type { Account, Store } from "../../store/types.js";
import { onlyFlags, type ParsedArgs } from "../args.js";
import { type CliEnv, print, withStore } from "../env.js";
import { CliError, UsageError } from "../errors.js";

export const userAdminValueFlags = ["domain"] as const;

const usage = "usage: yubin user admin ADDRESS --domain D [--domain D2 …] | --global | --none";

export async function setAdminRole(
  env: CliEnv,
  config: Config,
  args: ParsedArgs,
  lookup: (store: Store) => Promise<Account>,
): Promise<void> {
  onlyFlags(args, ["domain", "global", "none"]);
  const domains = [...new Set((args.lists?.get("domain") ?? []).map((d) => d.trim().toLowerCase()))];
  const chosen = [domains.length > 0, args.flags.has("global"), args.flags.has("none")].filter(Boolean);
  if (chosen.length !== 1) throw new UsageError(usage);
  const role = args.flags.has("global") ? "global" : args.flags.has("none") ? "none" : "domains";
  await withStore(config, async (store) => {
    const a = await lookup(store);
    for (const d of domains)
      if (!(await store.directory.getDomain(d))) throw new CliError(`unknown domain ${d}`);
    await store.directory.setAdminDomains(a.id, domains);
    await store.directory.updateAccount(a.id, { isAdmin: role === "global" });
    print(
      env,
      role === "global"
        ? `${a.address} is a global administrator`
        : role === "none"
          ? `${a.address} is not an administrator`
          : `${a.address} administers ${domains.sort().join(", ")}`,
    );
  });
}
