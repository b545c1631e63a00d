// Keyboard shortcuts (Gmail-like keys, the ones people already know). Ignored while typing in
// a field or with Ctrl/Alt/Meta held, so browser shortcuts keep working.
import { useEffect, useRef } from "preact/hooks";
import type { MessageKey } from "../i18n";

// biome-ignore format: a word list reads better packed
export type ShortcutAction =
  | "next" | "prev" | "open" | "back" | "compose" | "reply" | "replyAll" | "forward"
  | "flag" | "read" | "unread" | "archive" | "remove" | "spam" | "search" | "help";

export const SHORTCUTS: { keys: string[]; action: ShortcutAction; label: MessageKey }[] = [
  { keys: ["j", "ArrowDown"], action: "next", label: "keys.next" },
  { keys: ["k", "ArrowUp"], action: "prev", label: "keys.prev" },
  { keys: ["o", "Enter"], action: "open", label: "keys.open" },
  { keys: ["u", "Escape"], action: "back", label: "keys.back" },
  { keys: ["c"], action: "compose", label: "keys.compose" },
  { keys: ["r"], action: "reply", label: "keys.reply" },
  { keys: ["a"], action: "replyAll", label: "keys.replyAll" },
  { keys: ["f"], action: "forward", label: "keys.forward" },
  { keys: ["s"], action: "flag", label: "keys.flag" },
  { keys: ["I"], action: "read", label: "keys.read" },
  { keys: ["U"], action: "unread", label: "keys.unread" },
  { keys: ["e"], action: "archive", label: "keys.archive" },
  { keys: ["#", "Delete"], action: "remove", label: "keys.delete" },
  { keys: ["!"], action: "spam", label: "keys.spam" },
  { keys: ["/"], action: "search", label: "keys.search" },
  { keys: ["?"], action: "help", label: "keys.help" },
];

const typing = (t: EventTarget | null) =>
  t instanceof HTMLElement && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));

export function useShortcuts(enabled: boolean, handlers: Record<ShortcutAction, () => void>): void {
  const ref = useRef(handlers);
  ref.current = handlers;
  useEffect(() => {
    if (!enabled) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
      const s = SHORTCUTS.find((x) => x.keys.includes(e.key));
      if (!s) return;
      // Enter on a focused button or link keeps its own meaning.
      if (e.key === "Enter" && e.target instanceof HTMLElement && /^(BUTTON|A)$/.test(e.target.tagName))
        return;
      e.preventDefault();
      ref.current[s.action]();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, [enabled]);
}
