// Bulk-mail markers: mild, because newsletters people asked for carry them too; they only tip a
// message that other signs already make suspect. Measured on the 2002 corpus groups (bench/spam/
// tune.ts --combine) and removed: Precedence: bulk/list/junk (1,746 ham, 74 spam) and
// List-Unsubscribe without List-Id (193 ham, 0 spam) both fitted to 0 — mailing lists and
// newsletters write them, and since 2024 large mailbox providers require List-Unsubscribe of
// every bulk sender, so it says nothing about spam either.
import type { Signal } from "../types.js";
import { header, type RuleFamily } from "./types.js";

/** X-Mailer / User-Agent values of mass-mailing software that spam runs through most. */
const MASS_MAILERS = [
  "phpmailer",
  "sendblaster",
  "atomic mail sender",
  "mailking",
  "group mail",
  "massmail",
  "bulk mailer",
  "the bat! (v2.",
];

export const bulkRules: RuleFamily = {
  name: "bulk",
  outbound: true,
  run({ view }) {
    const out: Signal[] = [];
    const mailer = (header(view, "x-mailer") ?? header(view, "user-agent") ?? "").slice(0, 200).toLowerCase();
    const mass = MASS_MAILERS.find((m) => mailer.includes(m));
    if (mass !== undefined) out.push({ name: "BULK_MAILER", score: 0.5, detail: `mass mailer ${mass}` });
    return out;
  },
};
