// Locale-aware formatting of dates, sizes and addresses for display (the choices are in
// mail/display.ts).
import { currentLanguage, t } from "../i18n";
import { listDateForm, sizeIn } from "../mail/display";

export { displayName } from "../mail/display";

export function formatSize(n: number): string {
  const s = sizeIn(n);
  return s.unit === "b"
    ? t("size.b", { n: s.n })
    : s.unit === "kb"
      ? t("size.kb", { n: s.n })
      : t("size.mb", { n: s.n });
}

/** Time for today's mail, the date otherwise (the list column). */
export function shortDate(iso: string): string {
  const d = new Date(iso);
  const lang = currentLanguage();
  switch (listDateForm(d, new Date())) {
    case "time":
      return d.toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit" });
    case "dayMonth":
      return d.toLocaleDateString(lang, { month: "short", day: "numeric" });
    case "full":
      return d.toLocaleDateString(lang, { year: "numeric", month: "short", day: "numeric" });
  }
}

export function fullDate(iso: string): string {
  return new Date(iso).toLocaleString(currentLanguage(), { dateStyle: "medium", timeStyle: "short" });
}
