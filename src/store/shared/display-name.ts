// A user-chosen label (an app password's or a passkey's name) as stored: trimmed, within a length,
// no control characters (C0, DEL, C1), so it prints safely in lists and logs. Used by the SQLite
// and PostgreSQL stores through shared/app-passwords.ts and shared/second-factor.ts.
import { StoreError } from "../errors.js";

export interface DisplayNameRule {
  /** Longest name, in characters. */
  max: number;
  /** The StoreError message when the name is empty or too long. */
  lengthError: string;
  /** The StoreError message when the name has a control character. */
  controlError: string;
}

/** The name as stored (trimmed), or a StoreError "invalid". */
export function checkDisplayName(raw: unknown, rule: DisplayNameRule): string {
  const name = typeof raw === "string" ? raw.trim() : "";
  if (name.length === 0 || name.length > rule.max) throw new StoreError("invalid", rule.lengthError);
  for (const ch of name) {
    const c = ch.codePointAt(0) ?? 0;
    if (c < 0x20 || (c >= 0x7f && c < 0xa0)) throw new StoreError("invalid", rule.controlError);
  }
  return name;
}
