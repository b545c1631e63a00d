// Trace fields (RFC 5321 §4.4, RFC 5322 §3.6.7): the one Received field we add to every message,
// whatever its door, and Return-Path at final delivery only. The "with" protocol names come from
// RFC 3848 (ESMTPS/ESMTPA/ESMTPSA) and RFC 6531 §3.7.3 (UTF8SMTP...); mail written over JMAP says
// "with HTTP" (an Attdl-Protocol atom, RFC 5321 §4.4, as large webmail services write it), and
// mail the server writes itself (DSNs, vacation replies) has no "from" and no "with" clause, only
// "by" (as Postfix's bounces do). No account name is written: the "A" suffix says the client
// authenticated, not as whom.
import { rfc5322Date } from "../mime/date-format.js";

export interface TlsSummary {
  protocol: string; // "TLSv1.3"
  cipher: string; // "TLS_AES_256_GCM_SHA384"
}

/** Where the message came from, for the Received field. */
export type TraceOrigin =
  | {
      kind: "smtp";
      helo: string | null; // as the client gave it in HELO/EHLO

      ip: string;
      esmtp: boolean;
      utf8: boolean;
      authenticated: boolean;
      tls: TlsSummary | null;
    }
  | { kind: "http"; ip: string | null; tls: TlsSummary | null }
  | { kind: "local" };

export interface ReceivedInfo {
  origin: TraceOrigin;
  hostname: string;
  id: string;
  recipient: string | null; // "for" clause, only for a single recipient (privacy, RFC 5321 §7.2)
  date: Date;
}

export function withProtocol(i: {
  esmtp: boolean;
  utf8: boolean;
  authenticated: boolean;
  tls: unknown;
}): string {
  if (!i.esmtp) return "SMTP";
  const base = i.utf8 ? "UTF8SMTP" : "ESMTP";
  return base + (i.tls ? "S" : "") + (i.authenticated ? "A" : "");
}

export function receivedHeader(i: ReceivedInfo): string {
  const o = i.origin;
  let h = "Received: ";
  if (o.kind === "smtp") h += `from ${sanitizeHelo(o.helo ?? "")} (${ipLiteral(o.ip)})\r\n\t`;
  else if (o.kind === "http" && o.ip) h += `from ${ipLiteral(o.ip)}\r\n\t`;
  h += `by ${i.hostname} (Yubin)`;
  if (o.kind === "smtp") h += ` with ${withProtocol(o)}`;
  else if (o.kind === "http") h += " with HTTP";
  h += ` id ${i.id}`;
  if (o.kind !== "local" && o.tls) h += `\r\n\t(${o.tls.protocol} cipher ${o.tls.cipher})`;
  if (i.recipient) h += `\r\n\tfor <${i.recipient}>`;
  return `${h};\r\n\t${rfc5322Date(i.date)}\r\n`;
}

export function returnPathHeader(from: string): string {
  return `Return-Path: <${from}>\r\n`;
}

function ipLiteral(ip: string): string {
  return ip.includes(":") ? `[IPv6:${ip}]` : `[${ip}]`;
}

/** The client's HELO name goes into a header: keep only characters that cannot break it. */
function sanitizeHelo(s: string): string {
  const clean = s.replace(/[^A-Za-z0-9.\-_:[\]]/g, "");
  return clean === "" ? "unknown" : clean.slice(0, 255);
}
