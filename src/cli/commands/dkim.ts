// yubin dkim list [DOMAIN] | dkim rotate DOMAIN | dkim remove DOMAIN SELECTOR
// Keys live in <dataDir>/dkim/<domain>/<selector>.key (src/mailauth/keys.ts). The newest key of
// each algorithm signs; a running server picks up a rotation at its next message.
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Config } from "../../config/schema.js";
import {
  activeKeys,
  algorithmsOf,
  type DkimKey,
  dkimDir,
  generateDkimKeys,
  loadDkimKeys,
} from "../../mailauth/keys.js";
import { dnsRecordsFor, zoneLine } from "../../mailauth/records.js";
import { onlyFlags, type ParsedArgs } from "../args.js";
import { type CliEnv, loadOrCreateConfig, print, withStore } from "../env.js";
import { CliError, UsageError } from "../errors.js";
import { checkDomain } from "./domain.js";

const usage = "usage: yubin dkim list [DOMAIN] | dkim rotate DOMAIN | dkim remove DOMAIN SELECTOR";

export async function dkimCommand(env: CliEnv, args: ParsedArgs): Promise<void> {
  const [sub, ...rest] = args.positional;
  onlyFlags(args, []);
  const { config } = loadOrCreateConfig(env);
  switch (sub) {
    case "list": {
      if (rest.length > 1) throw new UsageError(usage);
      const domains = rest[0] ? [checkDomain(rest[0])] : await knownDomains(config);
      for (const d of domains) {
        const keys = await loadDkimKeys(config.server.dataDir, d);
        const active = new Set(activeKeys(keys, algorithmsOf(config.mailauth.algorithms)));
        for (const k of keys)
          print(env, `${d}\t${k.selector}\t${k.algorithm}\t${active.has(k) ? "signing" : "old"}`);
      }
      return;
    }
    case "rotate": {
      const domain = checkDomain(rest[0], rest.slice(1));
      await requireDomain(config, domain);
      const keys = await generateDkimKeys(config.server.dataDir, domain, {
        algorithms: algorithmsOf(config.mailauth.algorithms),
        rsaBits: config.mailauth.rsaBits,
      });
      print(env, `; new DKIM keys for ${domain}: they sign from now on, so publish these records at once.`);
      print(env, "; Keep the old keys' records for a few days: mail signed before is still in transit.");
      for (const r of dnsRecordsFor(domain, config, keys).filter((x) => x.purpose === "dkim"))
        print(env, zoneLine(r));
      return;
    }
    case "remove": {
      if (rest.length !== 2) throw new UsageError(usage);
      const domain = checkDomain(rest[0]);
      const selector = rest[1]!;
      const keys = await loadDkimKeys(config.server.dataDir, domain);
      const key = keys.find((k) => k.selector === selector);
      if (!key) throw new CliError(`no DKIM key ${selector} for ${domain}`);
      if (isSigning(key, keys, config)) throw new CliError(`${selector} is the signing key: rotate first`);
      await rm(join(dkimDir(config.server.dataDir, domain), `${selector}.key`));
      print(env, `removed DKIM key ${selector} of ${domain}; its DNS record can go too`);
      return;
    }
    default:
      throw new UsageError(usage);
  }
}

function isSigning(key: DkimKey, keys: DkimKey[], config: Config): boolean {
  return activeKeys(keys, algorithmsOf(config.mailauth.algorithms)).includes(key);
}

async function knownDomains(config: Config): Promise<string[]> {
  return withStore(config, async (store) => (await store.directory.listDomains()).map((d) => d.name));
}

async function requireDomain(config: Config, domain: string): Promise<void> {
  await withStore(config, async (store) => {
    if (!(await store.directory.getDomain(domain))) throw new CliError(`unknown domain ${domain}`);
  });
}
