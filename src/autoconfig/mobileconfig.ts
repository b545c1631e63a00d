// Apple configuration profile (.mobileconfig) with one com.apple.mail.managed payload, for iOS,
// iPadOS and macOS Mail. An XML property list (Apple's "Configuration Profile Reference"); it is
// not signed, so the device shows it as "unverified" (signing needs a CA-issued certificate).
// UseSSL=true on a STARTTLS port makes Apple Mail negotiate STARTTLS.
import { createHash } from "node:crypto";
import type { ClientEndpoints } from "./endpoints.js";
import { escapeXml as x } from "./xml.js";

export const MOBILECONFIG_CONTENT_TYPE = "application/x-apple-aspen-config";

type PlistValue = string | number | boolean | PlistValue[] | { [k: string]: PlistValue };

function plist(v: PlistValue, indent: string): string {
  if (typeof v === "string") return `${indent}<string>${x(v)}</string>`;
  if (typeof v === "number") return `${indent}<integer>${v}</integer>`;
  if (typeof v === "boolean") return `${indent}<${v}/>`;
  if (Array.isArray(v))
    return `${indent}<array>\n${v.map((e) => plist(e, `${indent}  `)).join("\n")}\n${indent}</array>`;
  const entries = Object.entries(v).map(
    ([k, e]) => `${indent}  <key>${x(k)}</key>\n${plist(e, `${indent}  `)}`,
  );
  return `${indent}<dict>\n${entries.join("\n")}\n${indent}</dict>`;
}

/** A stable UUID per (address, hostname, part), so re-installing replaces the old profile. */
function uuidFor(...parts: string[]): string {
  const h = createHash("sha256").update(parts.join("\0")).digest("hex");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`.toUpperCase();
}

export interface MobileconfigOptions {
  email: string;
  displayName: string;
}

export function mobileconfigProfile(endpoints: ClientEndpoints, opts: MobileconfigOptions): string | null {
  const imap = endpoints.imap[0];
  const pop3 = endpoints.pop3[0];
  const incoming = imap ?? pop3;
  const smtp = endpoints.submission[0];
  if (!incoming || !smtp) return null;
  const reverse = endpoints.hostname.split(".").reverse().join(".");
  const id = `${reverse}.yubin.${opts.email}`;
  const mail: PlistValue = {
    PayloadType: "com.apple.mail.managed",
    PayloadVersion: 1,
    PayloadIdentifier: `${id}.mail`,
    PayloadUUID: uuidFor(opts.email, endpoints.hostname, "mail"),
    PayloadDisplayName: opts.email,
    EmailAccountDescription: opts.email,
    EmailAccountName: opts.displayName,
    EmailAccountType: imap ? "EmailTypeIMAP" : "EmailTypePOP",
    EmailAddress: opts.email,
    IncomingMailServerAuthentication: "EmailAuthPassword",
    IncomingMailServerHostName: incoming.hostname,
    IncomingMailServerPortNumber: incoming.port,
    IncomingMailServerUseSSL: true,
    IncomingMailServerUsername: opts.email,
    OutgoingMailServerAuthentication: "EmailAuthPassword",
    OutgoingMailServerHostName: smtp.hostname,
    OutgoingMailServerPortNumber: smtp.port,
    OutgoingMailServerUseSSL: true,
    OutgoingMailServerUsername: opts.email,
    OutgoingPasswordSameAsIncomingPassword: true,
    SMIMEEnabled: false,
  };
  const profile: PlistValue = {
    PayloadContent: [mail],
    PayloadDisplayName: `Mail: ${opts.email}`,
    PayloadDescription: `Mail account ${opts.email} on ${endpoints.hostname}`,
    PayloadIdentifier: id,
    PayloadOrganization: opts.displayName,
    PayloadRemovalDisallowed: false,
    PayloadType: "Configuration",
    PayloadUUID: uuidFor(opts.email, endpoints.hostname, "profile"),
    PayloadVersion: 1,
  };
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
${plist(profile, "")}
</plist>
`;
}
