// Bulk-mail markers: mild, because newsletters people asked for carry them too; they only tip a
// message that other signs already make suspect. A List-Unsubscribe without List-Id is what
// bulk senders that are not mailing lists write (RFC 2369 fields without RFC 2919's).
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
    const precedence = header(view, "precedence")?.trim().toLowerCase();
    if (precedence === "bulk" || precedence === "list" || precedence === "junk")
      out.push({ name: "BULK_PRECEDENCE", score: 0.1, detail: `Precedence: ${precedence}` });
    if (header(view, "list-unsubscribe") !== null && header(view, "list-id") === null)
      out.push({ name: "UNSUB_NO_LIST_ID", score: 0.3, detail: "List-Unsubscribe without List-Id" });
    const mailer = (header(view, "x-mailer") ?? header(view, "user-agent") ?? "").slice(0, 200).toLowerCase();
    const mass = MASS_MAILERS.find((m) => mailer.includes(m));
    if (mass !== undefined) out.push({ name: "BULK_MAILER", score: 0.5, detail: `mass mailer ${mass}` });
    return out;
  },
};
