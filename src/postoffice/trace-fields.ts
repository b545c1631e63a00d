// Trace fields (RFC 5321 §4.4, RFC 5322 §3.6.7): a Received field on every message we accept,
// and Return-Path at final delivery only. The "with" protocol names come from RFC 3848
// (ESMTPS/ESMTPA/ESMTPSA) and RFC 6531 §3.7.3 (UTF8SMTP...). No account name is written:
// the "A" suffix says the client authenticated, not as whom.

import type { TlsInfo } from "../tls-upgrade.js";

export interface ReceivedInfo {
  helo: string;
  ip: string;
  hostname: string;
  esmtp: boolean;
  utf8: boolean;
  authenticated: boolean;
  tls: TlsInfo | null;
  id: string;
  recipient: string | null; // "for" clause, only for a single recipient (privacy, §7.2)
  date: Date;
}

export function withProtocol(i: Pick<ReceivedInfo, "esmtp" | "utf8" | "authenticated" | "tls">): string {
  if (!i.esmtp) return "SMTP";
  const base = i.utf8 ? "UTF8SMTP" : "ESMTP";
  return base + (i.tls ? "S" : "") + (i.authenticated ? "A" : "");
}

export function receivedHeader(i: ReceivedInfo): string {
  const ip = i.ip.includes(":") ? `IPv6:${i.ip}` : i.ip;
  let h = `Received: from ${sanitizeHelo(i.helo)} ([${ip}])\r\n\tby ${i.hostname} (Yubin) with ${withProtocol(i)} id ${i.id}`;
  if (i.tls) h += `\r\n\t(${i.tls.protocol} cipher ${i.tls.cipher})`;
  if (i.recipient) h += `\r\n\tfor <${i.recipient}>`;
  return `${h};\r\n\t${rfc5322Date(i.date)}\r\n`;
}

export function returnPathHeader(from: string): string {
  return `Return-Path: <${from}>\r\n`;
}

/** The client's HELO name goes into a header: keep only characters that cannot break it. */
function sanitizeHelo(s: string): string {
  const clean = s.replace(/[^A-Za-z0-9.\-_:[\]]/g, "");
  return clean === "" ? "unknown" : clean.slice(0, 255);
}

const days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** RFC 5322 §3.3 date-time, in UTC. */
export function rfc5322Date(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${days[d.getUTCDay()]}, ${p(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}
