// How the page shows names, dates and sizes, as choices a test can check; ui/format.ts words
// them in the current language.
import type { EmailAddress } from "./types";

/** The first address's name, or its address when it has none ("" for none at all). */
export function displayName(list: EmailAddress[] | null | undefined): string {
  const a = list?.[0];
  if (!a) return "";
  return a.name || a.email;
}

/** The list's date column: the time for today's mail, day and month for this year's, else all. */
export type ListDateForm = "time" | "dayMonth" | "full";

export function listDateForm(d: Date, now: Date): ListDateForm {
  if (d.toDateString() === now.toDateString()) return "time";
  if (d.getFullYear() === now.getFullYear()) return "dayMonth";
  return "full";
}

/** A size in the unit that reads best: bytes under 1 KiB, KiB (at least 1) under 1 MiB, else MiB
 *  with one decimal. */
export function sizeIn(n: number): { unit: "b" | "kb" | "mb"; n: number | string } {
  if (n < 1024) return { unit: "b", n };
  if (n < 1024 * 1024) return { unit: "kb", n: Math.max(1, Math.round(n / 1024)) };
  return { unit: "mb", n: (n / 1024 / 1024).toFixed(1) };
}
