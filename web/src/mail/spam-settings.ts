// The user's spam settings (our JMAP extension urn:yubin:params:jmap:spam, SpamSettings/get and
// /set on the object "singleton"): senders always allowed and always sent to Junk, each an
// address or "@domain". The server normalises and checks the entries again; this check only
// tells the user at once, in the form, what it would refuse.
import type { JmapApi } from "../api/jmap";
import { MethodError } from "../api/jmap";

export interface SpamLists {
  allow: string[];
  block: string[];
}

export type SpamListName = keyof SpamLists;

export async function loadSpamLists(jmap: JmapApi): Promise<SpamLists> {
  const r = await jmap.call<{ list: SpamLists[] }>("SpamSettings/get", {
    ids: ["singleton"],
    properties: ["allow", "block"],
  });
  const s = r.list[0];
  return { allow: s?.allow ?? [], block: s?.block ?? [] };
}

/** Saves one list (the other is left as the server has it). */
export async function saveSpamList(jmap: JmapApi, name: SpamListName, list: string[]): Promise<void> {
  const r = await jmap.call<{ notUpdated?: Record<string, { type: string; description?: string }> | null }>(
    "SpamSettings/set",
    { update: { singleton: { [name]: list } } },
  );
  const bad = r.notUpdated?.singleton;
  if (bad) throw new MethodError(bad.type, bad.description);
}

/** What the user typed as the stored entry ("Ann@Example.COM " → "ann@example.com", "@x.example"
 *  kept as a domain), or null when it is neither an address nor "@domain". Loops, no regular
 *  expression: a pasted line is scanned once. */
export function spamEntry(raw: string): string | null {
  const e = raw.trim().toLowerCase();
  if (e.length === 0 || e.length > 256) return null;
  const at = e.indexOf("@");
  if (at < 0 || e.indexOf("@", at + 1) >= 0) return null;
  for (const ch of e) if (ch <= " " || ch === '"' || ch === "<" || ch === ">") return null;
  const labels = e.slice(at + 1).split(".");
  return labels.length >= 2 && labels.every((l) => l.length > 0 && l.length <= 63) ? e : null;
}

/** The list with the entry added once (at the end), or unchanged if it is there. */
export function withEntry(list: string[], entry: string): string[] {
  return list.includes(entry) ? list : [...list, entry];
}
