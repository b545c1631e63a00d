// yubin domain add|list|remove
import { normalizeDomain, parseAddress } from "../../delivery/address.js";
import { StoreError } from "../../store/errors.js";
import { onlyFlags, type ParsedArgs } from "../args.js";
import { type CliEnv, loadOrCreateConfig, print, withStore } from "../env.js";
import { CliError, UsageError } from "../errors.js";

export async function domainCommand(env: CliEnv, args: ParsedArgs): Promise<void> {
  const [sub, name, ...rest] = args.positional;
  onlyFlags(args, []);
  const { config } = loadOrCreateConfig(env);
  switch (sub) {
    case "add": {
      const domain = checkDomain(name, rest);
      await withStore(config, async (store) => {
        if (await store.directory.getDomain(domain)) throw new CliError(`domain ${domain} already exists`);
        await store.directory.addDomain(domain);
      });
      print(env, `added domain ${domain}`);
      return;
    }
    case "list":
      await withStore(config, async (store) => {
        for (const d of await store.directory.listDomains()) print(env, d.name);
      });
      return;
    case "remove": {
      const domain = checkDomain(name, rest);
      await withStore(config, async (store) => {
        if (!(await store.directory.getDomain(domain))) throw new CliError(`unknown domain ${domain}`);
        try {
          await store.directory.removeDomain(domain);
        } catch (e) {
          if (e instanceof StoreError && e.code === "domain-not-empty")
            throw new CliError(`domain ${domain} still has users or aliases: remove them first`);
          throw e;
        }
      });
      print(env, `removed domain ${domain}`);
      return;
    }
    default:
      throw new UsageError("usage: yubin domain add|list|remove DOMAIN");
  }
}

export function checkDomain(name: string | undefined, rest: string[] = []): string {
  if (!name || rest.length > 0) throw new UsageError("expected exactly one DOMAIN");
  const parsed = parseAddress(`postmaster@${name}`);
  if (!parsed || name.includes("@")) throw new CliError(`malformed domain name: ${JSON.stringify(name)}`);
  return normalizeDomain(parsed.domain);
}
