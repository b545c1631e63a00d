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
  /** A newly made app password for the device (issue 15), embedded so the device needs no
   *  typing: Apple's IncomingPassword, used for sending too (OutgoingPasswordSameAsIncoming).
   *  Such a profile is a secret: it is handed out once, like the app password itself. */
  appPassword?: { id: number; secret: string; scopes: readonly string[] };
}

export function mobileconfigProfile(endpoints: ClientEndpoints, opts: MobileconfigOptions): string | null {
  const app = opts.appPassword;
  // With an app password, only what it may open: its incoming protocol, and sending at all.
  const imap = !app || app.scopes.includes("imap") ? endpoints.imap[0] : undefined;
  const pop3 = !app || app.scopes.includes("pop3") ? endpoints.pop3[0] : undefined;
  const incoming = imap ?? pop3;
  const smtp = !app || app.scopes.includes("smtp") ? endpoints.submission[0] : undefined;
  if (!incoming || !smtp) return null;
  const reverse = endpoints.hostname.split(".").reverse().join(".");
  const id = `${reverse}.yubin.${opts.email}${app ? `.app${app.id}` : ""}`;
  const mail: PlistValue = {
    PayloadType: "com.apple.mail.managed",
    PayloadVersion: 1,
    PayloadIdentifier: `${id}.mail`,
    // One profile per app password: installing a second device's does not replace the first's.
    PayloadUUID: uuidFor(opts.email, endpoints.hostname, "mail", ...(app ? [`app ${app.id}`] : [])),
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
    ...(app ? { IncomingPassword: app.secret } : {}),
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
    PayloadUUID: uuidFor(opts.email, endpoints.hostname, "profile", ...(app ? [`app ${app.id}`] : [])),
    PayloadVersion: 1,
  };
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
${plist(profile, "")}
</plist>
`;
}
