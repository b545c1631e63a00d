// Locale-aware formatting of dates, sizes and addresses for display.
import { currentLanguage, t } from "../i18n";
import type { EmailAddress } from "../mail/types";

export function formatSize(n: number): string {
  if (n < 1024) return t("size.b", { n });
  if (n < 1024 * 1024) return t("size.kb", { n: Math.max(1, Math.round(n / 1024)) });
  return t("size.mb", { n: (n / 1024 / 1024).toFixed(1) });
}

/** Time for today's mail, the date otherwise (the list column). */
export function shortDate(iso: string): string {
  const d = new Date(iso);
  const now = new Date();
  const lang = currentLanguage();
  if (d.toDateString() === now.toDateString())
    return d.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" });
  if (d.getFullYear() === now.getFullYear())
    return d.toLocaleDateString(lang, { month: "short", day: "numeric" });
  return d.toLocaleDateString(lang, { year: "numeric", month: "short", day: "numeric" });
}

export function fullDate(iso: string): string {
  return new Date(iso).toLocaleString(currentLanguage(), { dateStyle: "medium", timeStyle: "short" });
}

export function displayName(list: EmailAddress[] | null | undefined): string {
  const a = list?.[0];
  if (!a) return "";
  return a.name || a.email;
}
