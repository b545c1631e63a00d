// Stage "dmarc record": mail from other servers that the filters let through and did not
// classify as spam is counted for the DMARC aggregate reports we send (src/reports/outbound,
// only when [reports] dmarcSend is on; RFC 7489 7.2). Spam is left out: its From domains are
// mostly forged, and reporting it to them would mail the victims of the forgery about it.
import type { Stage, Work } from "./types.js";

export const dmarcRecordStage: Stage = {
  name: "dmarc record",
  doors: new Set(["inbound"]),
  async run(work, { ctx }) {
    const observe = ctx.reportSending?.dmarcObserved;
    const origin = work.letter.origin;
    if (!observe || !work.auth || origin.kind !== "smtp") return "next";
    observe({ ip: origin.ip, mailFrom: work.letter.mailFrom, auth: work.auth, spam: isSpam(work) });
    return "next";
  },
};

/** Scored at or over the junk threshold, for the message or any account, or filed as junk. */
function isSpam(work: Work): boolean {
  const over = (v: { score: number; threshold: number } | null | undefined) => !!v && v.score >= v.threshold;
  if (over(work.spam)) return true;
  for (const v of work.spamByAccount.values()) if (over(v)) return true;
  for (const f of work.folders.values()) if (f === "junk") return true;
  return false;
}
