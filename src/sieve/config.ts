// [sieve] config: users' mail rules (RFC 5228) and the admin's global scripts, run by the post
// office's sieve stage for every locally delivered message; the limits that keep one script from
// costing everyone else. A leaf module: src/config/schema.ts composes it.
import { bool, int, type SectionValue, str } from "../config/dsl.js";

export const sieveSection = {
  enabled: bool(true, "Run Sieve scripts (the admin's global ones and each user's active one) at delivery."),
  globalBefore: str(
    "",
    "A Sieve script file every local delivery runs before the user's own script (like Dovecot's sieve_before); empty: none.",
  ),
  globalAfter: str(
    "",
    "A Sieve script file run after the user's script when that one kept the message (implicit keep); empty: none.",
  ),
  globalDir: str(
    "",
    'Directory of global scripts for `include :global "name"` (RFC 6609): name.sieve files; empty: dataDir/sieve-global.',
  ),
  maxScriptBytes: int(65536, "Largest Sieve script accepted (ManageSieve, JMAP, webmail, CLI).", {
    min: 1024,
    max: 1024 * 1024,
  }),
  maxScripts: int(20, "Most scripts one account may keep.", { min: 1, max: 1000 }),
  maxActions: int(32, "Most actions (fileinto, redirect, notify...) one script run may produce.", {
    min: 1,
    max: 1000,
  }),
  maxRedirects: int(4, "Most redirect actions one script run may produce.", { min: 0, max: 100 }),
  maxRedirectsPerDay: int(100, "Most messages one account's scripts may redirect per day.", {
    min: 0,
    max: 100000,
  }),
  maxNotify: int(2, "Most notify actions (RFC 5435) one script run may produce.", { min: 0, max: 100 }),
  maxNotifyPerDay: int(100, "Most notifications one account's scripts may send per day.", {
    min: 0,
    max: 100000,
  }),
  maxIncludeDepth: int(10, "Deepest nesting of include (RFC 6609).", { min: 1, max: 100 }),
  maxSteps: int(100000, "Commands and tests one run may evaluate before it is stopped (then: keep).", {
    min: 1000,
    max: 10000000,
  }),
  maxRunMs: int(500, "Longest a script run may take before it is stopped (then: keep).", {
    min: 10,
    max: 60000,
  }),
  vacationMinSeconds: int(
    86400,
    "Shortest interval between two vacation replies to one sender (RFC 6131 :seconds).",
    {
      min: 0,
      max: 365 * 86400,
    },
  ),
  vacationMaxSeconds: int(90 * 86400, "Longest interval a script may ask for between vacation replies.", {
    min: 86400,
    max: 3650 * 86400,
  }),
  duplicateDefaultSeconds: int(
    7 * 86400,
    "How long the duplicate test (RFC 7352) remembers a message by default.",
    {
      min: 60,
      max: 365 * 86400,
    },
  ),
  duplicateMaxSeconds: int(30 * 86400, "Longest :seconds the duplicate test may ask for.", {
    min: 60,
    max: 3650 * 86400,
  }),
  redirectSpam: bool(
    false,
    "Redirect messages the spam filter put in Junk (or DMARC quarantined) too. Off: they stay here, in Junk, so a user's forwarding does not send spam out under our SRS domain and IPs.",
  ),
  redirectDuplicateSeconds: int(
    43200,
    "How long a redirect is remembered (by Message-ID, account and target) so the same message is not redirected there twice: SMTP retries, loops that strip X-Sieve-Redirected-From (Pigeonhole: 12 hours).",
    { min: 0, max: 30 * 86400 },
  ),
  maxVariableBytes: int(4096, "Longest value a Sieve variable keeps (RFC 5229 3); longer ones are cut.", {
    min: 1024,
    max: 1024 * 1024,
  }),
  compiledCacheEntries: int(1000, "Compiled scripts kept in memory (keyed by their text).", {
    min: 0,
    max: 100000,
  }),
  notifyMaxRecipients: int(
    8,
    "Most recipients one Sieve notification (enotify mailto, RFC 5436) is sent to; the URI's others are dropped.",
    { min: 1, max: 100 },
  ),
  timeZone: {
    ...str(
      "",
      'The local time zone of the date and currentdate tests when a script names none (RFC 5260 4.1): "+hhmm", an IANA name ("Europe/Berlin"), or empty for the server\'s own (the OS zone, TZ); daylight saving time follows the instant.',
    ),
    validate: timeZoneProblem,
  },
  editheaderMaxValueBytes: int(
    2048,
    "Longest header field value a script may add with addheader (RFC 5293 4: at least 998).",
    { min: 998, max: 65536 },
  ),
};

export type SieveConfig = SectionValue<typeof sieveSection>;

/** Why a timeZone value is refused at start, or null: "+hhmm" / "-hhmm", or a name Intl knows. */
function timeZoneProblem(v: string): string | null {
  if (v === "") return null;
  const fixed = /^[+-](\d{2})(\d{2})$/.exec(v);
  if (fixed) return Number(fixed[1]) <= 23 && Number(fixed[2]) <= 59 ? null : `"${v}" is not a zone offset`;
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: v });
    return null;
  } catch {
    return `unknown time zone "${v}" (an IANA name such as "Europe/Berlin", or "+hhmm")`;
  }
}
