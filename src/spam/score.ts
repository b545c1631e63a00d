// One message's score: the built-in rule families, the other sources (rspamd, URI lists) asked
// in parallel under one deadline, and the classifier; the sum of every named signal, rounded to a
// tenth as SpamAssassin shows it (the rounded value is the one compared with thresholds, so the
// header never says "score=5.0 required=5.0" for mail that was not spam).
import type { Logger } from "../log/logger.js";
import type { FilterInput } from "../postoffice/types.js";
import { ruleFamilies } from "./rules/index.js";
import type { MessageView, Signal, SignalSource } from "./types.js";

export interface Scored {
  score: number;
  /** Highest contribution first (what an admin wants to see first). */
  signals: Signal[];
}

export function total(signals: readonly Signal[]): number {
  let sum = 0;
  for (const s of signals) sum += s.score;
  return Math.round(sum * 10) / 10;
}

export function scored(signals: readonly Signal[]): Scored {
  const sorted = [...signals].sort(
    (a, b) => Math.abs(b.score) - Math.abs(a.score) || a.name.localeCompare(b.name),
  );
  return { score: total(sorted), signals: sorted };
}

/** The rule families' signals (outbound: only the families that judge what a person wrote). */
export function ruleSignals(
  input: FilterInput,
  view: MessageView,
  opts: { outbound: boolean; now: Date },
): Signal[] {
  const out: Signal[] = [];
  for (const f of ruleFamilies)
    if (!opts.outbound || f.outbound) out.push(...f.run({ input, view, now: opts.now }));
  return out;
}

/** Every source's signals, each given `timeoutMs`: a late or failing source gives none (logged). */
export async function sourceSignals(
  sources: readonly SignalSource[],
  input: FilterInput,
  view: MessageView,
  opts: { timeoutMs: number; log: Logger },
): Promise<Signal[]> {
  if (sources.length === 0) return [];
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), opts.timeoutMs);
  });
  try {
    const answers = await Promise.all(
      sources.map(async (s) => {
        const r = await Promise.race([s.signals(input, view).catch((e: unknown) => e as Error), late]);
        if (r === "late") {
          opts.log.warn("spam source too slow, not counted", { source: s.name, timeoutMs: opts.timeoutMs });
          return [];
        }
        if (r instanceof Error) {
          opts.log.warn("spam source failed, not counted", { source: s.name, err: r.message });
          return [];
        }
        return r;
      }),
    );
    return answers.flat();
  } finally {
    clearTimeout(timer);
  }
}
