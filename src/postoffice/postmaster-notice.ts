// Notices the server writes to postmaster@ of a sender's domain (an account frozen for sending
// too much, a message held as spam): plain text from the server itself (RFC 3834 §5:
// Auto-Submitted: auto-generated), posted through the "system" door. Sending one never fails what
// caused it: the freeze or the hold is already durable when the notice is written.
import { randomBytes } from "node:crypto";
import { rfc5322Date } from "../mime/date-format.js";
import type { AppContext } from "../server/context.js";

export interface Notice {
  /** The address the notice is about (its domain's postmaster is told). */
  about: string;
  subject: string;
  /** Message-ID local part prefix, naming the kind ("freeze", "held"). */
  kind: string;
  lines: string[];
  now?: Date;
}

/** The notice as a message to `to`. */
export function noticeMessage(hostname: string, to: string, n: Notice): Buffer {
  return Buffer.from(
    [
      `From: Mail System <MAILER-DAEMON@${hostname}>`,
      `To: <${to}>`,
      `Subject: ${n.subject}`,
      `Date: ${rfc5322Date(n.now ?? new Date())}`,
      `Message-ID: <${n.kind}.${randomBytes(9).toString("hex")}@${hostname}>`,
      "Auto-Submitted: auto-generated",
      "MIME-Version: 1.0",
      "Content-Type: text/plain; charset=utf-8",
      "Content-Transfer-Encoding: 8bit",
      "",
      ...n.lines,
      "",
    ].join("\r\n"),
    "utf8",
  );
}

/** Posts the notice to postmaster@ of `about`'s domain (of this server's name when it has none);
 *  a failure is logged, never thrown. */
export async function tellPostmaster(
  ctx: AppContext,
  n: Notice,
  logFields: Record<string, unknown>,
): Promise<void> {
  try {
    const domain = n.about.slice(n.about.lastIndexOf("@") + 1) || ctx.config.server.hostname;
    const to = `postmaster@${domain}`;
    await ctx.postOffice.postSystem({
      to,
      body: noticeMessage(ctx.config.server.hostname, to, n),
      accountId: null,
    });
  } catch (error) {
    ctx.log.error(`${n.kind} notice to postmaster failed`, { ...logFields, error });
  }
}
