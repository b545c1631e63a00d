// yubin domain add|list|remove|dns
import { checkOwnTlsa, ownTlsa } from "../../dane/own-tlsa.js";
import { normalizeDomain, parseAddress } from "../../delivery/address.js";
import { createDnsResolver } from "../../dns/resolver.js";
import { algorithmsOf, ensureDkimKeys, loadDkimKeys } from "../../mailauth/keys.js";
import { checkDnsRecords, dnsRecordsFor, mtaStsPolicy, zoneLine } from "../../mailauth/records.js";
import { StoreError } from "../../store/errors.js";
import { onlyFlags, type ParsedArgs } from "../args.js";
import { type CliEnv, loadOrCreateConfig, print, withStore } from "../env.js";
import { CliError, UsageError } from "../errors.js";

export async function domainCommand(env: CliEnv, args: ParsedArgs): Promise<void> {
  const [sub, name, ...rest] = args.positional;
  onlyFlags(args, sub === "dns" ? ["check"] : []);
  const { config } = loadOrCreateConfig(env);
  switch (sub) {
    case "add": {
      const domain = checkDomain(name, rest);
      await withStore(config, async (store) => {
        if (await store.directory.getDomain(domain)) throw new CliError(`domain ${domain} already exists`);
        await store.directory.addDomain(domain);
      });
      // DKIM keys at once, so `yubin domain dns` can show the records to publish.
      await ensureDkimKeys(config.server.dataDir, domain, {
        algorithms: algorithmsOf(config.mailauth.algorithms),
        rsaBits: config.mailauth.rsaBits,
      });
      print(env, `added domain ${domain}`);
      return;
    }
    case "dns": {
      const domain = checkDomain(name, rest);
      await withStore(config, async (store) => {
        if (!(await store.directory.getDomain(domain))) throw new CliError(`unknown domain ${domain}`);
      });
      const records = dnsRecordsFor(domain, config, await loadDkimKeys(config.server.dataDir, domain));
      if (args.flags.has("check")) {
        for (const c of await checkDnsRecords(createDnsResolver(config.dns), records)) {
          const found = c.status === "different" ? `\tfound: ${c.found.join(" | ")}` : "";
          print(
            env,
            `${c.status}\t${c.record.type}\t${c.record.name}${found}${c.error ? `\t${c.error}` : ""}`,
          );
        }
        // DANE (RFC 7672): which of our keys the DNS publishes, and whether a roll is safe.
        const own = ownTlsa(config);
        const t = await checkOwnTlsa(own, { ...config.dns, maxAnswers: config.dane.maxRecords });
        const found = t.found.length > 0 ? `\tfound: ${t.found.join(" | ")}` : "";
        print(env, `${t.status}\tTLSA\t${own.name}${found}`);
        for (const m of t.messages) print(env, `;\t${m}`);
        return;
      }
      for (const r of records) {
        print(env, `; ${r.purpose}: ${r.note}`);
        print(env, zoneLine(r));
      }
      const own = ownTlsa(config);
      if (own.current) {
        print(
          env,
          "; dane: our MX host's key for DANE senders (RFC 7672), 3 1 1 = SHA-256 of the public key, valid across renewals that keep it; only in a DNSSEC-signed zone",
        );
        print(env, `${own.name}. IN TLSA ${own.current}`);
      } else
        print(env, "; dane: no certificate yet (made at the first start): the TLSA record is shown after it");
      if (own.next) {
        print(env, "; dane: the next key, staged for a roll: publish it now, before the roll (RFC 7671 8.1)");
        print(env, `${own.name}. IN TLSA ${own.next}`);
      }
      print(env, `; MTA-STS policy, to serve at https://mta-sts.${domain}/.well-known/mta-sts.txt:`);
      for (const line of mtaStsPolicy(config).trimEnd().split("\r\n")) print(env, `;   ${line}`);
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
      throw new UsageError("usage: yubin domain add|list|remove DOMAIN | domain dns DOMAIN [--check]");
  }
}

export function checkDomain(name: string | undefined, rest: string[] = []): string {
  if (!name || rest.length > 0) throw new UsageError("expected exactly one DOMAIN");
  const parsed = parseAddress(`postmaster@${name}`);
  if (!parsed || name.includes("@")) throw new CliError(`malformed domain name: ${JSON.stringify(name)}`);
  return normalizeDomain(parsed.domain);
}
