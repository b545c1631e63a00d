// Thunderbird autoconfig document, config-v1.1.xml (the "clientConfig" format of
// https://wiki.mozilla.org/Thunderbird:Autoconfiguration:ConfigFileFormat). Static per domain:
// the login is the full address, which the client substitutes for %EMAILADDRESS%.
import type { ClientEndpoints, Endpoint } from "./endpoints.js";
import { escapeXml as x } from "./xml.js";

export const THUNDERBIRD_CONTENT_TYPE = "application/xml; charset=utf-8";

export function thunderbirdConfig(
  endpoints: ClientEndpoints,
  opts: { domain: string; displayName: string },
): string {
  const server = (tag: "incomingServer" | "outgoingServer", type: string, e: Endpoint) =>
    `    <${tag} type="${type}">
      <hostname>${x(e.hostname)}</hostname>
      <port>${e.port}</port>
      <socketType>${e.socket}</socketType>
      <username>%EMAILADDRESS%</username>
      <authentication>password-cleartext</authentication>
    </${tag}>`;
  const lines = [
    ...endpoints.imap.map((e) => server("incomingServer", "imap", e)),
    ...endpoints.pop3.map((e) => server("incomingServer", "pop3", e)),
    ...endpoints.submission.map((e) => server("outgoingServer", "smtp", e)),
  ];
  return `<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="${x(opts.domain)}">
    <domain>${x(opts.domain)}</domain>
    <displayName>${x(opts.displayName)}</displayName>
    <displayShortName>${x(opts.displayName)}</displayShortName>
${lines.join("\n")}
  </emailProvider>
</clientConfig>
`;
}
