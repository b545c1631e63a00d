// What a Sieve script may ask of the server during delivery (src/sieve/types.ts SieveHost), for
// one account and one message: whether a mailbox exists (RFC 5490), the duplicate memory
// (RFC 7352, kept per account in the store: asked here, recorded once the message is filed), the scripts it includes (RFC 6609: the account's
// own, or the admin's global ones), the spam and virus verdicts (RFC 5235) and the environment
// items (RFC 5183). The interpreter never touches the store itself.
import { createRequire } from "node:module";
import type { AppContext } from "../server/context.js";
import type { SieveHost } from "../sieve/types.js";
import { globalScriptPath, type WatchedFiles } from "./sieve-scripts.js";
import { sieveZone } from "./sieve-zone.js";
import type { DuplicateRecord, SpamVerdict } from "./types.js";

const version: string = (() => {
  try {
    const pkg = createRequire(import.meta.url)("../../package.json") as { version?: unknown };
    return typeof pkg.version === "string" ? pkg.version : "";
  } catch {
    return "";
  }
})();

export interface HostOptions {
  ctx: AppContext;
  accountId: number;
  /** The envelope recipient whose script runs (its domain is the environment's "domain"). */
  recipient: string;
  spam: SpamVerdict | null;
  virus: number | null;
  /** include :global's directory ([sieve] globalDir resolved). */
  globalDir: string;
  files: WatchedFiles;
  now: Date;
  /** Where the duplicate tests' records go, to be written after filing (sieve-memory.ts). */
  remember: DuplicateRecord[];
}

export function sieveHost(o: HostOptions): SieveHost {
  const { ctx, accountId } = o;
  const cfg = ctx.config.sieve;
  const at = o.recipient.lastIndexOf("@");
  return {
    now: o.now,
    zone: sieveZone(cfg.timeZone, o.now),
    // Each header date in the offset of its own instant (a July date in summer time).
    zoneAt: (at) => sieveZone(cfg.timeZone, at),
    async mailboxExists(name) {
      return (await ctx.store.mail.getMailbox(accountId, name)) !== null;
    },
    async duplicate(key, seconds, last) {
      // RFC 7352 3.3: the script's :seconds, bounded by the admin's maximum.
      const s = Math.min(Math.max(1, Math.round(seconds)), cfg.duplicateMaxSeconds);
      // RFC 7352 3: only asked now; recorded once the message is filed, so a delivery that
      // fails and is retried is not a duplicate of itself.
      o.remember.push({ key, seconds: s, last, at: o.now });
      return ctx.store.sieve.seenDuplicate(accountId, key, o.now, s);
    },
    async include(name, location) {
      if (location === "personal") return (await ctx.store.sieve.get(accountId, name))?.content ?? null;
      const path = globalScriptPath(o.globalDir, name);
      return path === null ? null : o.files.read(path);
    },
    spam: o.spam,
    virus: o.virus,
    // RFC 5183 4.1; "phase" from RFC 6785 (IMAP events would be "post").
    environment: {
      domain: at < 0 ? ctx.config.server.hostname : o.recipient.slice(at + 1).toLowerCase(),
      host: ctx.config.server.hostname,
      location: "MS",
      name: "Yubin",
      phase: "during",
      version,
    },
  };
}
