// yubin alias add|list|remove — ADDRESS may be "@domain" for a catch-all.
import { onlyFlags, type ParsedArgs } from "../args.js";
import { type CliEnv, loadOrCreateConfig, print, withStore } from "../env.js";
import { CliError, UsageError } from "../errors.js";
import { checkDomain } from "./domain.js";
import { checkAddress } from "./user.js";

const usage =
  "usage: yubin alias add ADDRESS TARGET... | list [DOMAIN] | remove ADDRESS  (ADDRESS @domain = catch-all)";

export async function aliasCommand(env: CliEnv, args: ParsedArgs): Promise<void> {
  const [sub, address, ...targets] = args.positional;
  onlyFlags(args, []);
  const { config } = loadOrCreateConfig(env);
  switch (sub) {
    case "add": {
      if (!address || targets.length === 0) throw new UsageError(usage);
      const source = checkAliasAddress(address);
      const dests = targets.map((t) => checkAddress(t));
      await withStore(config, async (store) => {
        const domain = source.slice(source.indexOf("@") + 1);
        if (!(await store.directory.getDomain(domain)))
          throw new CliError(`unknown domain ${domain}: add it first with \`yubin domain add ${domain}\``);
        if (await store.directory.getAlias(source)) throw new CliError(`alias ${source} already exists`);
        if (await store.directory.getAccountByAddress(source))
          throw new CliError(`${source} is a user, not an alias`);
        await store.directory.addAlias(source, dests);
      });
      print(env, `added alias ${source} -> ${dests.join(", ")}`);
      return;
    }
    case "list":
      if (targets.length > 0) throw new UsageError(usage);
      await withStore(config, async (store) => {
        for (const a of await store.directory.listAliases(address?.toLowerCase()))
          print(env, `${a.address}\t${a.targets.join(", ")}`);
      });
      return;
    case "remove": {
      if (!address || targets.length > 0) throw new UsageError(usage);
      const source = checkAliasAddress(address);
      await withStore(config, async (store) => {
        if (!(await store.directory.getAlias(source))) throw new CliError(`unknown alias ${source}`);
        await store.directory.removeAlias(source);
      });
      print(env, `removed alias ${source}`);
      return;
    }
    default:
      throw new UsageError(usage);
  }
}

function checkAliasAddress(s: string): string {
  if (s.startsWith("@")) return `@${checkDomain(s.slice(1))}`;
  return checkAddress(s);
}
