// One signer, verifier and resolver per running app, built on first use from its config and
// kept with its AppContext (so the SMTP code needs no new wiring and tests get fresh ones).
import { createCachedDnsResolver } from "../dns/resolver.js";
import type { DnsResolver } from "../dns/types.js";
import type { AppContext } from "../server/context.js";
import { algorithmsOf } from "./keys.js";
import { createDkimSigner, type DkimSigner } from "./sign.js";
import { createInboundVerifier, type InboundVerifier } from "./verify.js";

export interface MailAuth {
  authservId: string;
  resolver: DnsResolver;
  signer: DkimSigner;
  verifier: InboundVerifier;
}

const byContext = new WeakMap<AppContext, MailAuth>();

export function mailauthFor(ctx: AppContext): MailAuth {
  let m = byContext.get(ctx);
  if (!m) {
    m = buildMailAuth(ctx);
    byContext.set(ctx, m);
  }
  return m;
}

function buildMailAuth(ctx: AppContext): MailAuth {
  const cfg = ctx.config;
  const authservId = cfg.mailauth.authservId || cfg.server.hostname;
  const resolver = createCachedDnsResolver(cfg.dns);
  const log = ctx.log.child({ part: "mailauth" });
  return {
    authservId,
    resolver,
    signer: createDkimSigner({
      dataDir: cfg.server.dataDir,
      algorithms: algorithmsOf(cfg.mailauth.algorithms),
      isOurDomain: async (d) => (await ctx.store.directory.getDomain(d)) !== null,
      onError: (err, domain) => log.warn("DKIM signing failed", { domain, err }),
    }),
    verifier: createInboundVerifier({
      resolver,
      authservId,
      timeoutMs: cfg.mailauth.verifyTimeoutMs,
      minRsaBits: cfg.mailauth.minRsaBits,
      maxAuthorDomains: cfg.mailauth.maxAuthorDomains,
      maxDkimSignatures: cfg.mailauth.maxDkimSignatures,
    }),
  };
}
