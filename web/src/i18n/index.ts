// The one place UI strings come from. To add a language: copy en.ts to <code>.ts, translate,
// and list it in LANGUAGES; the type makes a missing key a compile error.
import { en, type MessageKey, type Messages } from "./en";
import { ja } from "./ja";

export const LANGUAGES: Record<string, { name: string; messages: Messages }> = {
  en: { name: "English", messages: en },
  ja: { name: "日本語", messages: ja },
};

const PREF = "yubin.lang";

function initial(): string {
  try {
    const saved = localStorage.getItem(PREF);
    if (saved && LANGUAGES[saved]) return saved;
  } catch {
    // storage disabled: fall back to the browser's language
  }
  for (const l of navigator.languages ?? [navigator.language]) {
    const code = l.toLowerCase().split("-")[0] ?? "";
    if (LANGUAGES[code]) return code;
  }
  return "en";
}

let lang = initial();
let messages: Messages = LANGUAGES[lang]?.messages ?? en;

export function currentLanguage(): string {
  return lang;
}

/** Switch language (a preference, kept in localStorage); the caller re-renders. */
export function setLanguage(code: string): void {
  const l = LANGUAGES[code];
  if (!l) return;
  lang = code;
  messages = l.messages;
  document.documentElement.lang = code;
  try {
    localStorage.setItem(PREF, code);
  } catch {
    // not kept: fine
  }
}

export function t(key: MessageKey, params: Record<string, string | number> = {}): string {
  const s = messages[key] ?? en[key];
  return s.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

export type { MessageKey };
