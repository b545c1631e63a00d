// Authentication results (computed by src/mailauth before the filter stage: input.auth) as
// signals. A pass only counts as hammy when it is aligned with the From domain (DMARC, DKIM
// aligned): spammers pass SPF and DKIM for their own throw-away domains. Scores are modest, near
// SpamAssassin's (SPF_FAIL 0.9, SPF_SOFTFAIL 0.7, DKIM_VALID_AU -0.1); a DMARC failure weighs by
// the domain's own published policy (RFC 7489 §6.3: p=reject means the owner says "refuse").
import type { Signal } from "../types.js";
import type { RuleFamily } from "./types.js";

export const authRules: RuleFamily = {
  name: "auth",
  outbound: false,
  run({ input }) {
    const a = input.auth;
    if (a === null) return [];
    const out: Signal[] = [];
    // SPF (RFC 7208 §2.6): fail = the domain says this host may not send for it.
    if (a.spf === "fail")
      out.push({ name: "SPF_FAIL", score: 1.0, detail: "SPF fail for the envelope sender" });
    else if (a.spf === "softfail") out.push({ name: "SPF_SOFTFAIL", score: 0.7, detail: "SPF softfail" });
    else if (a.spf === "pass") out.push({ name: "SPF_PASS", score: -0.1 });
    else if (a.spf === "none") out.push({ name: "SPF_NONE", score: 0.1, detail: "no SPF record" });
    // DKIM (RFC 6376): a valid signature by the From domain is the strongest hammy sign here.
    const valid = a.dkim.filter((d) => d.result === "pass");
    if (valid.some((d) => d.aligned))
      out.push({ name: "DKIM_VALID_AU", score: -0.5, detail: "valid DKIM signature of the From domain" });
    else if (valid.length > 0) out.push({ name: "DKIM_VALID", score: -0.1 });
    if (a.dkim.some((d) => d.result === "fail" || d.result === "neutral" || d.result === "permerror"))
      out.push({ name: "DKIM_INVALID", score: 0.5, detail: "a DKIM signature does not verify" });
    if (a.dkim.length === 0) out.push({ name: "DKIM_NONE", score: 0.1, detail: "not DKIM-signed" });
    // DMARC (RFC 7489): weighed by the published policy.
    if (a.dmarc !== null) {
      if (a.dmarc.result === "pass")
        out.push({ name: "DMARC_PASS", score: -0.5, detail: `DMARC pass for ${a.dmarc.domain}` });
      else if (a.dmarc.result === "fail") {
        const p = a.dmarc.policy;
        const [name, score] =
          p === "reject"
            ? ["DMARC_FAIL_REJECT", 3.5]
            : p === "quarantine"
              ? ["DMARC_FAIL_QUARANTINE", 2.5]
              : ["DMARC_FAIL_NONE", 1.0];
        out.push({ name, score, detail: `DMARC fail for ${a.dmarc.domain} (p=${p})` });
      }
    }
    // ARC (RFC 8617): a broken chain is a mild sign; a valid one vouches only for the sealers.
    if (a.arc === "fail") out.push({ name: "ARC_INVALID", score: 0.3, detail: "ARC chain does not verify" });
    else if (a.arc === "pass") out.push({ name: "ARC_VALID", score: -0.1 });
    return out;
  },
};
