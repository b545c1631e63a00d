// [vacation] config: how often one sender is answered. Until src/config/schema.ts composes this
// section, vacationConfig() falls back to the defaults for any key the loaded config lacks.
import { defaultsOf, int, type SectionValue } from "../config/dsl.js";
import type { AppContext } from "../server/context.js";

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

export function vacationConfig(ctx: Pick<AppContext, "config">): VacationConfig {
  const section = (ctx.config as unknown as { vacation?: Partial<VacationConfig> }).vacation ?? {};
  return { ...defaultsOf(vacationSection), ...section };
}
