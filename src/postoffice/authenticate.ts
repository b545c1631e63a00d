// Stage "authenticate": mail from other servers (door "inbound") is checked, SPF, DKIM, DMARC and
// ARC (src/mailauth/inbound.ts), and gets our Authentication-Results; a DMARC reject is refused in
// the dialogue, a quarantine goes to Junk. Authentication-Results naming our authserv-id are
// forged when they come from outside: removed from all mail our users send too (RFC 8601 §5).
// System mail is written by us and has none.
import { stripOwnAuthResults } from "../mailauth/auth-results.js";
import { checkInbound } from "../mailauth/inbound.js";
import { mailauthFor } from "../mailauth/services.js";
import { PostOfficeError } from "./errors.js";
import type { Stage } from "./types.js";

export const authenticateStage: Stage = {
  name: "authenticate",
  doors: new Set(["inbound", "submission", "jmap"]),
  async run(work, { ctx }) {
    const auth = mailauthFor(ctx);
    const letter = work.letter;
    if (letter.door !== "inbound") {
      work.body = stripOwnAuthResults(work.body, auth.authservId);
      return "next";
    }
    const origin = letter.origin;
    const checked = await checkInbound(auth, ctx.config.mailauth, {
      body: work.body,
      ip: origin.kind === "smtp" ? origin.ip : "",
      helo: origin.kind === "smtp" ? origin.helo : null,
      mailFrom: letter.mailFrom,
    });
    const v = checked.verdict;
    const dkim = v?.dkim.map((d) => `${d.domain}:${d.result}`);
    if (checked.decision === "deliver" || checked.decision === "junk") {
      // On the door's one log line of the delivery ("message accepted"), not a line of their
      // own: a log line is a write to the log's pipe or file, and this is every inbound message.
      if (v)
        work.verdicts.push(
          `spf=${v.spf}`,
          `dkim=${dkim?.join(",") || "none"}`,
          `dmarc=${v.dmarc?.result ?? "none"}`,
          ...(checked.decision === "junk" ? ["mailauth=junk"] : []),
        );
    } else
      work.log.info("mail authentication", {
        spf: v?.spf,
        dkim: dkim?.join(" "),
        dmarc: v?.dmarc?.result,
        decision: checked.decision,
      });
    if (checked.decision === "malformed")
      throw new PostOfficeError("malformed", checked.reason ?? "malformed header");
    if (checked.decision === "reject")
      throw new PostOfficeError("dmarc-reject", "rejected by the DMARC policy of the sender's domain");
    if (checked.decision === "defer")
      throw new PostOfficeError("dmarc-temporary", "cannot check the sender's domain (DMARC) now");
    work.body = checked.body;
    work.authFields = checked.headers;
    if (v && !v.timedOut) work.auth = { spf: v.spf, dkim: v.dkim, dmarc: v.dmarc, arc: v.arc };
    if (checked.decision === "junk") for (const id of work.accountIds) work.folders.set(id, "junk");
    return "next";
  },
};
