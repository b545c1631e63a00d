// [limits] config: how much one account may send (stage sending-limits.ts), over every door that
// sends for a user (SMTP submission, JMAP and the webmail). The defaults are far above what a
// person in an office sends and far below what a stolen password turned spam cannon does.
// Per-account overrides: `yubin user limits ADDRESS --messages-per-hour N …` (kept in the store).
import { int, type SectionValue } from "../config/dsl.js";

export const limitsSection = {
  messagesPerHour: int(200, "Messages one account may send in any hour (0 = no limit).", { min: 0 }),
  messagesPerDay: int(1000, "Messages one account may send in any 24 hours (0 = no limit).", { min: 0 }),
  recipientsPerHour: int(
    500,
    "Recipients (local ones too: spam to our own users is abuse as well) one account may send to in any hour (0 = no limit).",
    { min: 0 },
  ),
  recipientsPerDay: int(2000, "Recipients one account may send to in any 24 hours (0 = no limit).", {
    min: 0,
  }),
  freezeFactor: int(
    3,
    "An account that tries to send this many times its hourly message or recipient limit within an hour is frozen: its mail queued in that hour is held, further sending refused until `yubin user unfreeze`, and the postmaster told; 0 = never freeze.",
    { min: 0, max: 1000 },
  ),
};

export type LimitsConfig = SectionValue<typeof limitsSection>;
