// The connection screen of port 25 (src/dnsbl: DNS lists, pregreet, pipelining, FCrDNS, HELO),
// each reason as a signal: "zen.example=4" → RBL_zen.example (4), "pregreet=3" →
// SCREEN_PREGREET (3). The weights are the admin's ([dnsbl] zones and *Weight keys), counted at
// face value; a negative weight (DNSWL) lowers the score. Refusals never reach the filter.
import type { Signal } from "../types.js";
import type { RuleFamily } from "./types.js";

export const screenRules: RuleFamily = {
  name: "screen",
  outbound: false,
  run({ input }) {
    const out: Signal[] = [];
    for (const reason of input.screen?.reasons ?? []) {
      const eq = reason.lastIndexOf("=");
      if (eq <= 0) continue;
      const what = reason.slice(0, eq);
      const score = Number(reason.slice(eq + 1));
      if (!Number.isFinite(score)) continue;
      const name = what.includes(".")
        ? `RBL_${what}`
        : `SCREEN_${what.toUpperCase().replace(/[^A-Z0-9]/g, "_")}`;
      out.push({ name, score, detail: `connection check ${reason}` });
    }
    return out;
  },
};
