// Pure helpers of the composer: address parsing and formatting, and the drafts that Reply,
// Reply all and Forward start from (RFC 5322 3.6.4: In-Reply-To and References).
import type { BodyPart, EmailAddress, EmailFull } from "./types";

export interface Draft {
  to: string;
  cc: string;
  bcc: string;
  subject: string;
  body: string;
  inReplyTo: string[] | null;
  references: string[] | null;
  /** Parts of the original message forwarded as attachments (by blobId, no upload). */
  forwardParts: BodyPart[];
  /** The message replied to, to mark $answered once sent. */
  replyToId: string | null;
}

export const emptyDraft = (): Draft => ({
  to: "",
  cc: "",
  bcc: "",
  subject: "",
  body: "",
  inReplyTo: null,
  references: null,
  forwardParts: [],
  replyToId: null,
});

// One class run after the "@": a dot is already in it (an extra optional ".?" between two such
// runs made the regex backtrack polynomially on a long domain that fails to match).
const ADDR = /^[^\s<>@",]+@[^\s<>@",]+$/;

export function formatAddress(a: EmailAddress): string {
  if (!a.name) return a.email;
  const name = /[",<>@;:]/.test(a.name) ? `"${a.name.replace(/["\\]/g, "")}"` : a.name;
  return `${name} <${a.email}>`;
}

export const formatAddresses = (list: EmailAddress[] | null | undefined) =>
  (list ?? []).map(formatAddress).join(", ");

/** "Ann <a@x>, b@y" → addresses; the ones that are not addresses are returned in bad. */
export function parseAddresses(s: string): { list: EmailAddress[]; bad: string[] } {
  const list: EmailAddress[] = [];
  const bad: string[] = [];
  // Split on commas and semicolons outside double quotes.
  const parts: string[] = [];
  let cur = "";
  let quoted = false;
  for (const ch of s) {
    if (ch === '"') quoted = !quoted;
    if ((ch === "," || ch === ";") && !quoted) {
      parts.push(cur);
      cur = "";
    } else cur += ch;
  }
  parts.push(cur);
  for (const raw of parts.map((p) => p.trim()).filter(Boolean)) {
    const m = /^(.*)<([^<>]+)>$/.exec(raw);
    const email = (m ? m[2]! : raw).trim();
    const name = m ? m[1]!.trim().replace(/^"|"$/g, "") : "";
    if (ADDR.test(email)) list.push({ name: name || null, email });
    else bad.push(raw);
  }
  return { list, bad };
}

const hasPrefix = (subject: string, re: RegExp) => re.test(subject.trim());

export function replySubject(s: string | null, prefix: string): string {
  const subject = s ?? "";
  return hasPrefix(subject, /^(re|aw|sv|回答|返信)\s*:/i) ? subject : `${prefix}${subject}`;
}

export function forwardSubject(s: string | null, prefix: string): string {
  const subject = s ?? "";
  return hasPrefix(subject, /^(fwd?|wg|転送)\s*:/i) ? subject : `${prefix}${subject}`;
}

export function bodyText(e: EmailFull): string {
  return e.textBody
    .map((p) => (p.partId ? (e.bodyValues[p.partId]?.value ?? "") : ""))
    .join("\n")
    .replace(/\r\n/g, "\n");
}

const quote = (text: string) =>
  text
    .split("\n")
    .map((l) => (l.startsWith(">") ? `>${l}` : `> ${l}`))
    .join("\n");

export interface ReplyLabels {
  replyPrefix: string;
  forwardPrefix: string;
  wrote: (date: string, from: string) => string;
  forwarded: string;
  fieldNames: { from: string; date: string; subject: string; to: string };
  formatDate: (iso: string) => string;
}

export function replyDraft(e: EmailFull, me: string, all: boolean, l: ReplyLabels): Draft {
  const to = e.replyTo?.length ? e.replyTo : (e.from ?? []);
  const self = me.toLowerCase();
  const seen = new Set(to.map((a) => a.email.toLowerCase()));
  const cc = all
    ? [...(e.to ?? []), ...(e.cc ?? [])].filter((a) => {
        const k = a.email.toLowerCase();
        if (k === self || seen.has(k)) return false;
        seen.add(k);
        return true;
      })
    : [];
  const date = l.formatDate(e.sentAt ?? e.receivedAt);
  const from = formatAddresses(e.from);
  return {
    ...emptyDraft(),
    to: formatAddresses(to),
    cc: formatAddresses(cc),
    subject: replySubject(e.subject, l.replyPrefix),
    body: `\n\n${l.wrote(date, from)}\n${quote(bodyText(e))}\n`,
    inReplyTo: e.messageId,
    references: [...(e.references ?? []), ...(e.messageId ?? [])],
    replyToId: e.id,
  };
}

export function forwardDraft(e: EmailFull, l: ReplyLabels): Draft {
  const f = l.fieldNames;
  const head = [
    l.forwarded,
    `${f.from}: ${formatAddresses(e.from)}`,
    `${f.date}: ${l.formatDate(e.sentAt ?? e.receivedAt)}`,
    `${f.subject}: ${e.subject ?? ""}`,
    `${f.to}: ${formatAddresses(e.to)}`,
  ].join("\n");
  return {
    ...emptyDraft(),
    subject: forwardSubject(e.subject, l.forwardPrefix),
    body: `\n\n${head}\n\n${bodyText(e)}\n`,
    forwardParts: e.attachments.filter((p) => p.blobId),
  };
}
