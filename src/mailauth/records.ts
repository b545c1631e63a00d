// The DNS records a domain needs to receive and send mail through this server, and a check of
// what DNS actually holds. Used by `yubin domain dns DOMAIN` and by the admin web page.
import { createHash } from "node:crypto";
import type { Config, ListenerConfig } from "../config/schema.js";
import type { DnsResolver } from "../dns/types.js";
import { isNoData } from "../dns/types.js";
import type { DkimKey } from "./keys.js";

export type RecordType = "MX" | "TXT" | "CNAME" | "SRV";

export type RecordPurpose =
  | "mx"
  | "spf"
  | "spf-helo"
  | "dkim"
  | "dmarc"
  | "mta-sts"
  | "mta-sts-host"
  | "tls-rpt"
  | "srv"
  | "autoconfig";

export interface DnsRecord {
  name: string; // fully qualified, without the final dot
  type: RecordType;
  /** MX "10 host.", SRV "prio weight port host.", CNAME "host.", TXT the unquoted text. */
  value: string;
  purpose: RecordPurpose;
  note: string;
}

/** The MTA-STS policy file (RFC 8461 §3.2) served at https://mta-sts.<domain>/.well-known/mta-sts.txt. */
export function mtaStsPolicy(config: Config): string {
  const mode = config.mailauth.recordMtaStsMode;
  return `version: STSv1\r\nmode: ${mode}\r\nmx: ${config.server.hostname}\r\nmax_age: ${mode === "enforce" ? 2592000 : 86400}\r\n`;
}

/** Every record `domain` needs, given our host name, listeners and its DKIM keys (all of them:
 *  keys replaced by a rotation stay published until removed, for mail signed before it). */
export function dnsRecordsFor(domain: string, config: Config, keys: DkimKey[]): DnsRecord[] {
  const host = config.server.hostname.toLowerCase();
  const m = config.mailauth;
  const report = m.recordReportAddress || `postmaster@${domain}`;
  const ips = m.recordSpfIps.map((ip) => (ip.includes(":") ? `ip6:${ip}` : `ip4:${ip}`));
  const out: DnsRecord[] = [
    {
      name: domain,
      type: "MX",
      value: `10 ${host}.`,
      purpose: "mx",
      note: "where mail for the domain goes (RFC 5321 §5)",
    },
    {
      name: domain,
      type: "TXT",
      value: ["v=spf1", ...ips, "mx", "~all"].join(" "),
      purpose: "spf",
      note: "hosts allowed to send as the domain (RFC 7208)",
    },
  ];
  if (host !== domain)
    out.push({
      name: host,
      type: "TXT",
      value: ["v=spf1", ...ips, "a", "-all"].join(" "),
      purpose: "spf-helo",
      note: "SPF for our HELO name (RFC 7208 §2.3); the same for every domain",
    });
  for (const k of keys)
    out.push({
      name: `${k.selector}._domainkey.${domain}`,
      type: "TXT",
      value: `v=DKIM1; k=${k.algorithm === "rsa-sha256" ? "rsa" : "ed25519"}; p=${k.publicKeyBase64}`,
      purpose: "dkim",
      note: `DKIM public key, ${k.algorithm} (RFC 6376 §3.6.1${k.algorithm === "rsa-sha256" ? "" : ", RFC 8463"})`,
    });
  out.push(
    {
      name: `_dmarc.${domain}`,
      type: "TXT",
      value: `v=DMARC1; p=${m.recordDmarcPolicy}; rua=mailto:${report}`,
      purpose: "dmarc",
      note: "what receivers do with mail failing SPF and DKIM alignment (RFC 7489)",
    },
    {
      name: `_mta-sts.${domain}`,
      type: "TXT",
      // The id changes whenever the policy does, so senders refetch it (RFC 8461 §3.1).
      value: `v=STSv1; id=${createHash("sha256").update(mtaStsPolicy(config)).digest("hex").slice(0, 20)}`,
      purpose: "mta-sts",
      note: "senders must use TLS to our MX (RFC 8461); the policy is served over HTTPS",
    },
    {
      name: `mta-sts.${domain}`,
      type: "CNAME",
      value: `${host}.`,
      purpose: "mta-sts-host",
      note: "host serving /.well-known/mta-sts.txt (needs a certificate for this name)",
    },
    {
      name: `_smtp._tls.${domain}`,
      type: "TXT",
      value: `v=TLSRPTv1; rua=mailto:${report}`,
      purpose: "tls-rpt",
      note: "where senders report TLS problems (RFC 8460)",
    },
  );
  out.push(...srvRecords(domain, host, config.listeners));
  out.push({
    name: `autoconfig.${domain}`,
    type: "CNAME",
    value: `${host}.`,
    purpose: "autoconfig",
    note: "mail client autoconfiguration (Thunderbird autoconfig)",
  });
  return out;
}

// RFC 6186 §3 (and RFC 8314 §5.1 for submissions): one SRV per service we listen for; a target of
// "." says the service is not offered (RFC 6186 §3.4 / RFC 2782).
const services: [string, ListenerConfig["protocol"], ListenerConfig["tls"][]][] = [
  ["_submissions._tcp", "submission", ["implicit"]],
  ["_submission._tcp", "submission", ["starttls", "none"]],
  ["_imaps._tcp", "imap", ["implicit"]],
  ["_imap._tcp", "imap", ["starttls", "none"]],
  ["_pop3s._tcp", "pop3", ["implicit"]],
  ["_pop3._tcp", "pop3", ["starttls", "none"]],
  // RFC 5804 §1.8: ManageSieve, for Sieve filter clients.
  ["_sieve._tcp", "managesieve", ["starttls", "none"]],
];

function srvRecords(domain: string, host: string, listeners: ListenerConfig[]): DnsRecord[] {
  return services.map(([label, protocol, tls]) => {
    const l = listeners.find((x) => x.protocol === protocol && tls.includes(x.tls) && x.port > 0);
    return {
      name: `${label}.${domain}`,
      type: "SRV" as const,
      value: l ? `0 1 ${l.port} ${host}.` : "0 0 0 .",
      purpose: "srv" as const,
      note: l
        ? `${protocol} for mail clients (${protocol === "managesieve" ? "RFC 5804 §1.8" : "RFC 6186"})`
        : `${protocol} not offered (RFC 6186 §3.4)`,
    };
  });
}

/** A zone-file line; TXT values longer than 255 octets are split into several strings (RFC 1035 §3.3.14). */
export function zoneLine(r: DnsRecord): string {
  const value =
    r.type === "TXT"
      ? (r.value.match(/.{1,255}/g) ?? [""]).map((s) => `"${s.replace(/(["\\])/g, "\\$1")}"`).join(" ")
      : r.value;
  return `${r.name}. IN ${r.type} ${value}`;
}

export type RecordStatus = "ok" | "different" | "missing" | "error";

export interface RecordCheck {
  record: DnsRecord;
  status: RecordStatus;
  /** What DNS holds for the name and type (TXT: only the records of the same kind). */
  found: string[];
  error?: string;
}

/** Look every record up and compare it with what it should be. "different": a record of the same
 *  kind exists with another value (e.g. another DMARC policy; worth a look, not always wrong). */
export async function checkDnsRecords(resolver: DnsResolver, records: DnsRecord[]): Promise<RecordCheck[]> {
  return Promise.all(records.map((r) => checkOne(resolver, r)));
}

async function checkOne(resolver: DnsResolver, record: DnsRecord): Promise<RecordCheck> {
  let found: string[];
  try {
    found = await lookup(resolver, record);
  } catch (e) {
    if (!isNoData(e)) return { record, status: "error", found: [], error: (e as Error).message };
    found = [];
  }
  // A service we do not offer may as well have no SRV record at all.
  const optional = record.type === "SRV" && record.value === "0 0 0 .";
  if (found.length === 0) return { record, status: optional ? "ok" : "missing", found };
  const want = normalize(record.type, record.value);
  const status = found.some((f) => normalize(record.type, f) === want) ? "ok" : "different";
  return { record, status, found };
}

async function lookup(resolver: DnsResolver, r: DnsRecord): Promise<string[]> {
  switch (r.type) {
    case "MX":
      return (await resolver.resolveMx(r.name)).map((m) => `${m.priority} ${m.exchange}.`);
    case "CNAME":
      return (await resolver.resolveCname(r.name)).map((c) => `${c}.`);
    case "SRV":
      return (await resolver.resolveSrv(r.name)).map(
        (s) => `${s.priority} ${s.weight} ${s.port} ${s.name || "."}.`,
      );
    case "TXT": {
      const kind = txtKind(r.value);
      return (await resolver.resolveTxt(r.name))
        .map((parts) => parts.join(""))
        .filter((t) => txtKind(t) === kind);
    }
  }
}

// The version tag names the kind of a TXT record (v=spf1, v=DKIM1, v=DMARC1, …).
function txtKind(t: string): string {
  return (/^\s*v\s*=\s*([^;\s]+)/i.exec(t)?.[1] ?? "").toLowerCase();
}

function normalize(type: RecordType, v: string): string {
  const s = dropTrailingDots(v.trim().toLowerCase());
  if (type === "MX") return s.replace(/^\d+\s+/, ""); // the priority is the owner's choice
  if (type === "SRV") {
    const [, , port, target] = s.split(/\s+/);
    return `${port} ${target?.replace(/\.$/, "")}`;
  }
  if (type === "TXT") {
    // Tag lists (DKIM, DMARC, MTA-STS, TLS-RPT): order of tags and spaces do not matter; the
    // DKIM key is compared as written (base64 is case-sensitive).
    if (/;/.test(v) || /^v=(dkim1|dmarc1|stsv1|tlsrptv1)/i.test(v.trim()))
      return v
        .split(";")
        .map((t) => tightenEquals(t.trim()))
        .filter(Boolean)
        .map((t) => (t.toLowerCase().startsWith("p=") ? t : t.toLowerCase()))
        .sort()
        .join(";");
    return s.replace(/\s+/g, " ");
  }
  return s;
}

// The two helpers below are loops rather than /\.+$/ and /\s*=\s*/: those regexes rescan a long
// run of dots or blanks from each of its starts (quadratic in a hostile DNS answer).

function dropTrailingDots(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 0x2e) end--;
  return s.slice(0, end);
}

/** "k = v" → "k=v": the blanks around the first "=" go. */
function tightenEquals(t: string): string {
  const eq = t.indexOf("=");
  return eq < 0 ? t : `${t.slice(0, eq).trimEnd()}=${t.slice(eq + 1).trimStart()}`;
}
