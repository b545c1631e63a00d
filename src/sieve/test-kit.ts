// Helpers for the interpreter's tests: a host that answers from plain data, default limits, and
// one call that compiles and runs a script against a message.
import { compileSieve, runSieve } from "./index.js";
import type { RunLimits, SieveHost, SieveResult } from "./types.js";

export const LIMITS: RunLimits = {
  maxSteps: 100_000,
  maxActions: 32,
  maxRedirects: 4,
  maxNotify: 2,
  maxIncludeDepth: 5,
  maxRunMs: 2000,
};

export function testHost(over: Partial<SieveHost> = {}): SieveHost {
  return {
    now: new Date("2026-12-06T12:00:00Z"),
    mailboxExists: async () => true,
    duplicate: async () => false,
    include: async () => null,
    ...over,
  };
}

export const SAMPLE = [
  "Return-Path: <sender@example.org>",
  "From: Bank Alerts <alerts@Bank.Example>",
  "To: Me <me+lists@example.com>, other@example.net",
  'Cc: "Quoted Name" <cc@example.com>',
  "Subject: =?utf-8?q?Caf=C3=A9?= statement",
  "X-Spam-Score: 12",
  "X-Multi: one",
  "X-Multi: two",
  "",
  "Hello there,",
  "this is the body.",
  "",
].join("\r\n");

export interface RunOptions {
  raw?: string | Buffer;
  envelope?: { from: string; to: string; auth?: string | null };
  host?: Partial<SieveHost>;
  limits?: Partial<RunLimits>;
}

export async function run(script: string, o: RunOptions = {}): Promise<SieveResult> {
  const compiled = compileSieve(script);
  const raw =
    o.raw === undefined ? Buffer.from(SAMPLE) : typeof o.raw === "string" ? Buffer.from(o.raw) : o.raw;
  return runSieve(
    compiled,
    { raw, envelope: o.envelope ?? { from: "sender@example.org", to: "me+lists@example.com" } },
    testHost(o.host),
    { ...LIMITS, ...o.limits },
  );
}

/** The actions of a run in a short form: "keep", "fileinto:Finance", "redirect:a@b", "discard". */
export async function actionsOf(script: string, o: RunOptions = {}): Promise<string[]> {
  const r = await run(script, o);
  if (r.error !== null) throw new Error(`runtime error: ${r.error.message}`);
  return r.actions.map((a) =>
    a.type === "fileinto"
      ? `fileinto:${a.mailbox}${a.flags.length > 0 ? `[${a.flags.join(" ")}]` : ""}`
      : a.type === "redirect"
        ? `redirect:${a.address}${a.copy ? ":copy" : ""}`
        : a.type === "keep"
          ? `keep${a.flags.length > 0 ? `[${a.flags.join(" ")}]` : ""}`
          : a.type === "reject"
            ? `${a.extended ? "ereject" : "reject"}:${a.reason}`
            : a.type,
  );
}
