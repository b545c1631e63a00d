// [vacation] config: how often one sender is answered. A leaf module, like every config section:
// src/config/schema.ts composes it, and the loaded values are read as ctx.config.vacation.
import { int, type SectionValue } from "../config/dsl.js";

export const vacationSection = {
  replyIntervalDays: int(
    7,
    "A vacation auto-reply goes to one sender at most once in this many days (RFC 5230 4.6 :days).",
    { min: 1, max: 365 },
  ),
  maxOriginalSubjectBytes: int(
    998,
    'Longest original subject copied into "Auto: <subject>"; longer ones are cut.',
    { min: 16, max: 10000 },
  ),
};

export type VacationConfig = SectionValue<typeof vacationSection>;
