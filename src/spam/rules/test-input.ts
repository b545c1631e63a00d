// A FilterInput and MessageView for rule tests, from a raw message and the parts of the input a
// test sets.
import type { FilterInput } from "../../postoffice/types.js";
import { buildMessageView } from "../message-view.js";
import type { Signal } from "../types.js";
import type { RuleFamily } from "./types.js";

export const NOW = new Date("2026-12-06T12:00:00Z");

export function ruleInput(raw: string, over: Partial<FilterInput> = {}) {
  const body = Buffer.from(raw.replace(/\r?\n/g, "\r\n"), "utf8");
  const input: FilterInput = {
    door: "inbound",
    id: "T1",
    mailFrom: "s@sender.example",
    recipients: [],
    body,
    accountIds: [],
    accountId: null,
    origin: { kind: "smtp", helo: "h", ip: "192.0.2.1" } as unknown as FilterInput["origin"],
    screen: null,
    auth: null,
    ...over,
  };
  return { input, view: buildMessageView(body), now: NOW };
}

export function names(f: RuleFamily, raw: string, over: Partial<FilterInput> = {}): string[] {
  return f.run(ruleInput(raw, over)).map((s: Signal) => s.name);
}

/** A message with every field a mail program writes; `extra` goes above the blank line. */
export function message(extra = "", body = "hello\n"): string {
  return `From: A <a@sender.example>\nTo: b@rcpt.example\nSubject: lunch\nDate: Sun, 06 Dec 2026 11:00:00 +0000\nMessage-ID: <1@sender.example>\n${extra === "" ? "" : `${extra}\n`}\n${body}`;
}
