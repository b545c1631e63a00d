// Tests: a DNS zone (for src/testing/dns-server.ts) publishing exactly the records
// `yubin domain dns` recommends, with the DMARC policy replaced, plus the A record of mail.DOMAIN.
import assert from "node:assert/strict";
import type { ZoneRecord } from "../testing/dns-server.js";
import type { DnsRecord } from "./records.js";

export function zoneOf(domain: string, recs: DnsRecord[], dmarcPolicy: string): ZoneRecord[] {
  const out: ZoneRecord[] = [{ name: `mail.${domain}`, type: "A", value: "127.0.0.1" }];
  for (const r of recs) {
    if (r.type === "TXT")
      out.push({
        name: r.name,
        type: "TXT",
        value: r.value.replace(/p=quarantine|p=reject|p=none/, `p=${dmarcPolicy}`),
      });
    else if (r.type === "MX")
      out.push({
        name: r.name,
        type: "MX",
        exchange: r.value.split(" ")[1]!.replace(/\.$/, ""),
        priority: 10,
      });
    else if (r.type === "CNAME") out.push({ name: r.name, type: "CNAME", value: r.value.replace(/\.$/, "") });
  }
  return out;
}

/** The Authentication-Results field mx.b.test wrote for mail from alice@a.test sent from
 *  127.0.0.1, with both DKIM signatures, SPF and DMARC passing. */
export function assertAllPass(stored: string): void {
  const ar = /^Authentication-Results: mx\.b\.test;\r\n(?: .*\r\n)+/m.exec(stored)?.[0] ?? "";
  assert.match(ar, /^ dkim=pass header\.i=@a\.test header\.s=y\d{4}a-ed header\.a=ed25519-sha256/m);
  assert.match(ar, /^ dkim=pass header\.i=@a\.test header\.s=y\d{4}a-rsa header\.a=rsa-sha256/m);
  assert.match(
    ar,
    /^ spf=pass \(mx\.b\.test: domain of alice@a\.test designates 127\.0\.0\.1 as permitted sender\)/m,
  );
  assert.match(ar, /^ dmarc=pass \(p=REJECT arc=none\) header\.from=a\.test/m);
}
