// The commented config written at first start, generated from the schema so it never drifts.
import type { Field } from "./dsl.js";
import { defaultListeners } from "./load.js";
import { schema } from "./schema.js";

export interface SampleOptions {
  hostname: string;
  dataDir: string;
}

export function sampleConfig(opts: SampleOptions): string {
  const lines: string[] = [
    "# Yubin configuration (TOML). Every key has a default; delete a key to get it back.",
    "# `yubin config check` validates this file. Unknown keys are an error.",
    "",
  ];
  for (const [name, section] of Object.entries(schema)) {
    lines.push(`[${name}]`);
    for (const [key, f] of Object.entries(section as Record<string, Field<unknown>>)) {
      lines.push(`# ${f.doc}${f.values ? ` One of: ${f.values.join(", ")}.` : ""}`);
      let value = f.default;
      if (name === "server" && key === "hostname") value = opts.hostname;
      if (name === "server" && key === "dataDir") value = opts.dataDir;
      lines.push(`${key} = ${toml(value)}`);
    }
    lines.push("");
  }
  lines.push(
    "# Listeners: one [[listeners]] table each. protocol: smtp (inbound MX), submission, pop3, imap,",
    "# managesieve (Sieve scripts, RFC 5804), http.",
    "# tls: none, starttls (offered after connect), implicit (TLS from the first byte).",
    "# proxyProtocol = true: behind a load balancer sending the PROXY protocol (v1 or v2), each",
    "# connection starts with its header, from an address in [proxy] trustedSources only.",
    "# The quickstart uses unprivileged ports on 127.0.0.1. For production, listen on all addresses",
    '# ("0.0.0.0" or "::") with the standard ports: smtp 25 (none), submission 587 (starttls) and',
    "# 465 (implicit), pop3 110 (starttls) and 995 (implicit), imap 143 (starttls) and 993 (implicit),",
    "# managesieve 4190 (starttls),",
    "# http 443 (implicit: admin, settings, autoconfig) and 80 (none: autoconfig, redirects to HTTPS).",
    "# [autoconfig] tells mail clients other ports or a host name when they differ from these.",
    "# Run SMTP and POP3/IMAP in separate processes by giving each its own config with the same dataDir.",
  );
  for (const l of defaultListeners) {
    lines.push("[[listeners]]");
    lines.push(`protocol = ${toml(l.protocol)}`);
    lines.push(`address = ${toml(l.address)}`);
    lines.push(`port = ${l.port}`);
    lines.push(`tls = ${toml(l.tls)}`);
    lines.push("");
  }
  return lines.join("\n");
}

function toml(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(toml).join(", ")}]`;
  return String(v);
}
