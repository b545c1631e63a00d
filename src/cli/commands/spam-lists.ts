// yubin spam allow|block add|remove|list, spam prefs, spam verdicts — a user's allow and block
// lists and Junk overrides (SpamStore.get/setSpamPrefs; the same as the admin page
// src/admin/spam-prefs.ts and the webmail's), and the filter's recent verdicts with their reasons.
// The store validates entries (an address or @domain) and bounds the lists.
import type { Config } from "../../config/schema.js";
import { StoreError } from "../../store/errors.js";
import type { SpamPrefs, Store } from "../../store/types.js";
import { intFlag, onlyFlags, type ParsedArgs } from "../args.js";
import { type CliEnv, loadOrCreateConfig, print, withStore } from "../env.js";
import { CliError, UsageError } from "../errors.js";
import { checkAddress } from "./user.js";

export const spamListsUsage =
  "usage: yubin spam allow|block list ADDRESS | allow|block add|remove ADDRESS SENDER...   (SENDER: address or @domain)\n" +
  "       yubin spam prefs ADDRESS [--junk-score N|default] [--file-into-junk yes|no|default]\n" +
  "       yubin spam verdicts [--limit N]";

/** The `yubin spam` subcommands this file answers (the training ones are in spam.ts). */
export const spamListsSubcommands = ["allow", "block", "prefs", "verdicts"] as const;

/** Value flags of these subcommands (main.ts passes them to the argv parser). */
export const spamListsValueFlags = ["limit", "junk-score", "file-into-junk"] as const;

/** Most verdicts `spam verdicts` prints (the store keeps a bounded number anyway). */
const MAX_VERDICTS = 10_000;

async function mustGetAccount(store: Store, address: string) {
  const a = await store.directory.getAccountByAddress(address);
  if (!a) throw new CliError(`unknown user ${address}`);
  return a;
}

/** setSpamPrefs, with the store's refusal (a malformed entry, a list too long) as a CLI error. */
async function setPrefs(store: Store, accountId: number, patch: Partial<SpamPrefs>): Promise<SpamPrefs> {
  try {
    return await store.spam.setSpamPrefs(accountId, patch);
  } catch (e) {
    if (e instanceof StoreError) throw new CliError(e.message);
    throw e;
  }
}

export async function spamListsCommand(env: CliEnv, args: ParsedArgs): Promise<void> {
  const [sub, ...rest] = args.positional;
  const { config } = loadOrCreateConfig(env);
  switch (sub) {
    case "allow":
    case "block":
      return editList(env, { list: sub, args, rest, config });
    case "prefs":
      return prefs(env, { args, rest, config });
    case "verdicts": {
      onlyFlags(args, ["limit"]);
      if (rest.length > 0) throw new UsageError(spamListsUsage);
      const limit = Math.min(intFlag(args, "limit") ?? 20, MAX_VERDICTS);
      await withStore(config, async (store) => {
        const verdicts = await store.spam.recentVerdicts(limit);
        for (const v of verdicts) {
          const more = v.recipients > 1 ? `(+${v.recipients - 1})` : "";
          print(
            env,
            `${v.at.toISOString()}\t${v.door}\t${v.score.toFixed(1)}\t${v.action}\t<${v.mailFrom}>\t${v.recipient}${more}\t${v.messageId}\t${v.reasons}`,
          );
        }
        print(env, `${verdicts.length} verdict(s)`);
      });
      return;
    }
    default:
      throw new UsageError(spamListsUsage);
  }
}

async function editList(
  env: CliEnv,
  o: { list: "allow" | "block"; args: ParsedArgs; rest: string[]; config: Config },
): Promise<void> {
  onlyFlags(o.args, []);
  const [op, target, ...entries] = o.rest;
  const address = checkAddress(target);
  if (op === "list" ? entries.length > 0 : op !== "add" && op !== "remove")
    throw new UsageError(spamListsUsage);
  if (op !== "list" && entries.length === 0) throw new UsageError(spamListsUsage);
  await withStore(o.config, async (store) => {
    const a = await mustGetAccount(store, address);
    const cur = (await store.spam.getSpamPrefs(a.id))[o.list];
    if (op === "list") {
      for (const e of cur) print(env, e);
      return;
    }
    const given = entries.map((e) => e.trim().toLowerCase());
    if (op === "remove") {
      const missing = given.filter((e) => !cur.includes(e));
      if (missing.length > 0)
        throw new CliError(`not in the ${o.list} list of ${address}: ${missing.join(", ")}`);
    }
    const next = op === "add" ? [...cur, ...given] : cur.filter((e) => !given.includes(e));
    await setPrefs(store, a.id, { [o.list]: next });
    print(
      env,
      `${op === "add" ? "added to" : "removed from"} the ${o.list} list of ${address}: ${given.join(", ")}`,
    );
  });
}

async function prefs(env: CliEnv, o: { args: ParsedArgs; rest: string[]; config: Config }): Promise<void> {
  onlyFlags(o.args, ["junk-score", "file-into-junk"]);
  const [target, ...extra] = o.rest;
  if (extra.length > 0) throw new UsageError(spamListsUsage);
  const address = checkAddress(target);
  const patch: Partial<SpamPrefs> = {};
  const score = o.args.flags.get("junk-score");
  if (score !== undefined) {
    if (score === "default") patch.junkScore = null;
    else if (typeof score === "string" && /^\d{1,4}$/.test(score)) patch.junkScore = Number(score);
    else throw new UsageError('--junk-score must be a whole number or "default"');
  }
  const file = o.args.flags.get("file-into-junk");
  if (file !== undefined) {
    if (file === "yes" || file === "no") patch.fileIntoJunk = file === "yes";
    else if (file === "default") patch.fileIntoJunk = null;
    else throw new UsageError("--file-into-junk must be yes, no or default");
  }
  await withStore(o.config, async (store) => {
    const a = await mustGetAccount(store, address);
    const p =
      Object.keys(patch).length > 0
        ? await setPrefs(store, a.id, patch)
        : await store.spam.getSpamPrefs(a.id);
    print(env, `junk-score: ${p.junkScore ?? `default (${o.config.spam.junkScore})`}`);
    print(env, `file-into-junk: ${p.fileIntoJunk === null ? "default" : p.fileIntoJunk ? "yes" : "no"}`);
    print(env, `allow: ${p.allow.length} entr${p.allow.length === 1 ? "y" : "ies"}`);
    print(env, `block: ${p.block.length} entr${p.block.length === 1 ? "y" : "ies"}`);
  });
}
