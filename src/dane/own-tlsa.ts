// The TLSA records of our own MX host (the server hostname), for `yubin domain dns` and the admin
// DNS page: "3 1 1" (DANE-EE, SubjectPublicKeyInfo, SHA-256; RFC 7671 5.1, RFC 7672 3.1.1), which
// names the key and not the certificate, so it stays valid across renewals that keep the key
// (ACME does by default, [acme] reuseKey). When the key is to change, ACME stages the next one
// in dataDir/acme/next-key.pem: its record is printed too, to be published before the roll
// (RFC 7671 8.1, "current + next"). The check asks the DNS which of them it holds.

import { X509Certificate } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type DnsQueryOptions, dnsQuery } from "./dns-query.js";
import { certMatches, spkiSha256, type TlsaRecord, tlsaString } from "./tlsa.js";

export interface OwnTlsa {
  /** _25._tcp.<hostname> (RFC 7672 2.2.3: TLSA for port 25 at the MX host name). */
  name: string;
  /** "3 1 1 <hex>" of the certificate served, null when there is none yet. */
  current: string | null;
  /** Where the served certificate comes from (a file path). */
  source: string | null;
  /** "3 1 1 <hex>" of the staged next key, when there is one. */
  next: string | null;
  /** The served certificate's chain (for DANE-TA records published by hand). */
  chain: X509Certificate[];
  nextKeyPem: string | null;
}

export interface OwnTlsaConfig {
  server: { hostname: string; dataDir: string };
  tls: { cert: string; key: string };
}

/** The certificate served, chosen as src/server/tls.ts chooses it: ACME's issued one
 *  (dataDir/acme, see src/acme/files.ts), else the configured one, else the self-signed one. */
export function ownTlsa(config: OwnTlsaConfig): OwnTlsa {
  const host = config.server.hostname.toLowerCase().replace(/\.$/, "");
  const acmeCert = join(config.server.dataDir, "acme", "cert.pem");
  const acmeKey = join(config.server.dataDir, "acme", "cert.key");
  const candidates = [
    existsSync(acmeCert) && existsSync(acmeKey) ? acmeCert : "",
    config.tls.cert && config.tls.key ? config.tls.cert : "",
    join(config.server.dataDir, "tls", "cert.pem"),
  ];
  const source = candidates.find((p) => p !== "" && existsSync(p)) ?? null;
  const chain = source ? pemCertificates(readFileSync(source, "utf8")) : [];
  const nextPath = join(config.server.dataDir, "acme", "next-key.pem");
  const nextKeyPem = existsSync(nextPath) ? readFileSync(nextPath, "utf8") : null;
  const leaf = chain[0];
  return {
    name: `_25._tcp.${host}`,
    current: leaf ? `3 1 1 ${spkiSha256(leaf.toString())}` : null,
    source,
    next: nextKeyPem ? `3 1 1 ${spkiSha256(nextKeyPem)}` : null,
    chain,
    nextKeyPem,
  };
}

function pemCertificates(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new X509Certificate(b));
}

export type OwnTlsaState = "none" | "current" | "next-only" | "mismatch" | "no-certificate" | "error";

export interface OwnTlsaCheck {
  state: OwnTlsaState;
  /** "ok" | "missing" | "different" | "warning" | "error", as `domain dns --check` prints. */
  status: "ok" | "missing" | "different" | "warning" | "error";
  /** What it means and what to do, one sentence each. */
  messages: string[];
  /** The TLSA records found, in presentation form. */
  found: string[];
  /** The answer had the AD bit (validated by the resolver). */
  validated: boolean;
}

/** Which of our records the DNS holds, and what that means for DANE senders. */
export async function checkOwnTlsa(own: OwnTlsa, dns: DnsQueryOptions): Promise<OwnTlsaCheck> {
  if (!own.current)
    return {
      state: "no-certificate",
      status: "warning",
      messages: ["no certificate yet (made at the first start): start the server, then check again"],
      found: [],
      validated: false,
    };
  let records: TlsaRecord[];
  let validated: boolean;
  try {
    const a = await dnsQuery(own.name, "TLSA", dns);
    if (a.rcode !== "NOERROR" && a.rcode !== "NXDOMAIN") throw new Error(`DNS answered ${a.rcode}`);
    validated = a.ad;
    records = [];
    for (const r of a.answers)
      if (r.type === "TLSA")
        records.push({
          usage: r.data.usage,
          selector: r.data.selector,
          matchingType: r.data.matchingType,
          data: Buffer.from(r.data.certificate),
        });
  } catch (e) {
    return { state: "error", status: "error", messages: [(e as Error).message], found: [], validated: false };
  }
  return judge(own, records, validated);
}

/** The verdict on the records found (pure, for the tests and the admin page). */
export function judge(own: OwnTlsa, records: TlsaRecord[], validated: boolean): OwnTlsaCheck {
  const found = records.map(tlsaString);
  const current = own.current ?? "";
  const base = { found, validated };
  if (records.length === 0)
    return {
      ...base,
      state: "none",
      status: "missing",
      messages: [
        `no TLSA published: DANE senders use opportunistic TLS; to have them authenticate this server, publish ${own.name}. IN TLSA ${current}${own.next ? ` and ${own.name}. IN TLSA ${own.next}` : ""} in a DNSSEC-signed zone`,
      ],
    };
  const leaf = own.chain[0];
  const matchesCurrent = records.some(
    (r) =>
      (r.usage === 3 && leaf !== undefined && certMatches(leaf, r)) ||
      (r.usage === 2 && own.chain.slice(1).some((c) => certMatches(c, r))),
  );
  const matchesNext = own.next !== null && found.includes(own.next);
  const unsigned = validated
    ? []
    : [
        "the answer was not DNSSEC-validated (no AD bit from the [dns] servers): senders ignore TLSA records in an unsigned zone",
      ];
  if (matchesCurrent) {
    const roll =
      own.next === null
        ? []
        : matchesNext
          ? ["the next key's record is published too: the key can roll"]
          : [
              `the next key is not in the DNS yet: a roll now would make DANE senders defer mail to this server; publish ${own.name}. IN TLSA ${own.next} and wait for the old record's TTL before the roll`,
            ];
    return {
      ...base,
      state: "current",
      status: roll.length > 0 && !matchesNext ? "warning" : unsigned.length > 0 ? "warning" : "ok",
      messages: ["TLSA matches the current key", ...roll, ...unsigned],
    };
  }
  if (matchesNext)
    return {
      ...base,
      state: "next-only",
      status: "warning",
      messages: [
        `TLSA matches only the next key: a roll now would be fine, but the current key is not published — publish ${own.name}. IN TLSA ${current}`,
        ...unsigned,
      ],
    };
  return {
    ...base,
    state: "mismatch",
    status: "different",
    messages: [
      `TLSA does not match the current key: DANE senders will defer mail to this server — publish ${own.name}. IN TLSA ${current} (and remove the stale records)`,
      ...unsigned,
    ],
  };
}
