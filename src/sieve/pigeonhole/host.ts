// The SieveHost a Pigeonhole test file runs against: its mail store (mailboxexists, fileinto),
// the duplicate memory, scripts for include from the file's included/ and included-global/
// folders (as Pigeonhole's testsuite configures them), and the spam and virus verdicts read from
// the message the way the test file configured Dovecot to read them (test_config_set
// "sieve_spamtest_status_header" ... then test_config_reload): in Yubin the spam filter hands the
// verdict over directly, so this is the stand-in for the filter.
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fieldValue, scanHeader } from "../../mime/headers.js";
import type { IncludeLocation, SieveHost } from "../types.js";
import type { TestsuiteState } from "./state.js";

/** Pigeonhole's testsuite "now" is the wall clock; so is ours (date tests compare with it). */
function headerValues(raw: Buffer, name: string): string[] {
  const { fields } = scanHeader(raw, 0, raw.length);
  return fields.filter((f) => f.lname === name.toLowerCase()).map((f) => fieldValue(raw, f));
}

/** Dovecot's "<header>[:<regex>]" setting applied to the message: the first capture group, or
 *  the whole value without a regex; null when the header is missing or does not match. */
function readStatus(raw: Buffer, setting: string | undefined): string | null {
  if (!setting) return null;
  const colon = setting.indexOf(":");
  const name = (colon < 0 ? setting : setting.slice(0, colon)).trim();
  const value = headerValues(raw, name)[0];
  if (value === undefined) return null;
  if (colon < 0) return value;
  let re: RegExp;
  try {
    // Test code only: the patterns are the suite's own fixed settings (POSIX ERE, which JS reads
    // the same for these), run on its own short test messages, never on network input.
    // eslint-disable-next-line no-restricted-syntax -- fixed test-suite patterns, see above
    re = new RegExp(setting.slice(colon + 1).trim());
  } catch {
    return null;
  }
  const m = re.exec(value);
  if (!m) return null;
  return m[1] ?? m[0];
}

/** The verdict as Dovecot's status type reads it: a number on the "max" scale, or, for "text",
 *  the index (1..levels) of the configured text it equals. */
function statusLevel(
  cfg: ReadonlyMap<string, string>,
  prefix: "spamtest" | "virustest",
  raw: Buffer,
): { value: number; max: number } | "text-miss" | null {
  const status = readStatus(raw, cfg.get(`sieve_${prefix}_status_header`));
  if (status === null) return null;
  const type = (cfg.get(`sieve_${prefix}_status_type`) ?? "score").trim();
  const levels = prefix === "spamtest" ? 10 : 5;
  if (type === "text") {
    for (let i = 0; i <= levels; i++) {
      const t = cfg.get(`sieve_${prefix}_text_value/${i}`);
      if (t !== undefined && t === status) return { value: i, max: levels };
    }
    return "text-miss";
  }
  const maxHeader = readStatus(raw, cfg.get(`sieve_${prefix}_score_max_header`));
  const max = Number.parseFloat(maxHeader ?? cfg.get(`sieve_${prefix}_score_max_value`) ?? "");
  const value = type === "strlen" ? status.length : Number.parseFloat(status);
  if (!Number.isFinite(value) || !Number.isFinite(max) || max <= 0) return null;
  return { value, max };
}

const VERSION: string = (() => {
  const pkg = createRequire(import.meta.url)("../../../package.json") as { version?: unknown };
  return typeof pkg.version === "string" ? pkg.version : "";
})();

export interface HostOptions {
  now?: Date;
}

/** A host whose answers follow the state as the test file changes it. */
export function testsuiteHost(state: TestsuiteState, opts: HostOptions = {}): SieveHost {
  const host: SieveHost = {
    now: opts.now ?? new Date(),
    zone: "+0000",
    mailboxExists: async (name) => state.mailboxExists(name),
    duplicate: async (key, seconds, last) => {
      const now = Date.now();
      const until = state.duplicates.get(key);
      const seen = until !== undefined && until > now;
      if (!seen || last) state.duplicates.set(key, now + seconds * 1000);
      return seen;
    },
    include: async (name: string, location: IncludeLocation) => {
      const dir = join(state.dir, location === "global" ? "included-global" : "included");
      const file = join(dir, name.endsWith(".sieve") ? name : `${name}.sieve`);
      if (name.includes("/") || name.includes("\\") || !existsSync(file)) return null;
      return readFileSync(file, "utf8");
    },
    // As the post office's host gives them (src/postoffice/sieve-host.ts, RFC 5183 4.1).
    environment: {
      domain: "example.com",
      host: "mail.example.com",
      location: "MS",
      phase: "during",
      name: "Yubin",
      version: VERSION,
    },
  };
  // The spam and virus verdicts follow the current message and the configured reading.
  Object.defineProperty(host, "spam", {
    enumerable: true,
    get: () => {
      const s = statusLevel(state.config, "spamtest", state.message);
      if (s === null) return null;
      if (s === "text-miss") return null;
      // A text level n of 10 is the score n-1 on a 0..9 scale.
      return s.max === 10 && state.config.get("sieve_spamtest_status_type")?.trim() === "text"
        ? { score: s.value - 1, threshold: 9 }
        : { score: s.value, threshold: s.max };
    },
  });
  Object.defineProperty(host, "virus", {
    enumerable: true,
    get: () => {
      const s = statusLevel(state.config, "virustest", state.message);
      if (s === null || s === "text-miss") return null;
      if (state.config.get("sieve_virustest_status_type")?.trim() === "text") return s.value;
      // RFC 5235 3.3: 1 clean ... 5 infected, from a score out of max.
      return Math.min(5, Math.max(1, 1 + Math.floor((4 * s.value) / s.max)));
    },
  });
  return host;
}
