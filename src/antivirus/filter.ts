// The antivirus stage of the post office: a built-in filter (src/app/start.ts puts it first when
// [antivirus] clamd is set) that has clamd scan each message before it is filed or queued.
// Doors: port 25 (mail from the Internet), submission and JMAP/webmail (a user's mail, often
// with attachments they did not make: a virus sent from an account is refused as well, before it
// reaches local mailboxes or other servers). Not "system": DSNs and vacation replies are ours.
// Infected: refused in the dialogue (SMTP 554 5.7.1, JMAP SetError), never accepted and bounced
// (RFC 5321 §6.2: no backscatter). clamd unable to answer: config onError.
import type { SectionValue } from "../config/dsl.js";
import type { Filter } from "../postoffice/types.js";
import { scan } from "./clamd.js";
import type { antivirusSection } from "./config.js";

export type AntivirusConfig = SectionValue<typeof antivirusSection>;

/** The antivirus filter, or none when clamd is not configured. */
export function antivirusFilters(config: AntivirusConfig): Filter[] {
  if (config.clamd === "") return [];
  return [
    {
      name: "antivirus",
      doors: ["inbound", "submission", "jmap"],
      async check(input) {
        const r = await scan(input.body, {
          address: config.clamd,
          timeoutMs: config.timeoutMs,
          maxBytes: config.maxBytes,
        });
        // RFC 5235 3.3 virustest: 1 = tested, no known virus (an infected one never gets past).
        if (r.kind === "clean") return { kind: "accept", note: "clean", virus: 1 };
        if (r.kind === "infected") return { kind: "reject", reason: r.name, cause: "virus" };
        // tempfail (the default): nothing unscanned gets in, and the sender keeps the message
        // and retries (a 4xx). accept: the admin prefers mail to flow while clamd is down.
        if (config.onError === "accept") return { kind: "accept", note: `unscanned (${r.detail})` };
        return { kind: "defer", reason: `virus scanner unavailable (${r.detail})` };
      },
    },
  ];
}
