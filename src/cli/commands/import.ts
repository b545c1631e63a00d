// yubin import KIND ... --account ADDRESS [--dedupe] [--folder NAME ...] — mail from another
// server's files or a live IMAP server into an account (src/import/engine.ts), or users from a
// passwd-file. Each kind (maildir, mbox, imap, users) is one entry of `importKinds`, in its own
// file; this file is the dispatcher and the runner they share: the account, the progress bar,
// the summary and the exit code.
//
// Exit codes: 0 everything filed; 3 the import ran to its end but some messages failed (they are
// listed with reasons; a re-run does not retry them, it continues after them); 1 the import
// stopped (over quota, source unreadable): what was filed stays, a re-run continues from there.
// doveadm import exits 0 with failures printed; a separate code lets a cut-over script tell
// "done, look at the list" from "done" without parsing the summary.
import type { Config } from "../../config/schema.js";
import { ImportQuotaError, runImport } from "../../import/engine.js";
import { progressPrinter, summaryLines } from "../../import/progress.js";
import type { ImportSource } from "../../import/types.js";
import { onlyFlags, type ParsedArgs } from "../args.js";
import { type CliEnv, loadOrCreateConfig, print, withStore } from "../env.js";
import { CliError, UsageError } from "../errors.js";
import { importImapKind } from "./import-imap.js";
import { importMaildirKind } from "./import-maildir.js";
import { importMboxKind } from "./import-mbox.js";
import { importUsersKind } from "./import-users.js";
import { checkAddress } from "./user.js";

/** What a kind's `open` or `run` gets besides its arguments. */
export interface ImportKindContext {
  env: CliEnv;
  config: Config;
}

/** A kind that streams mail into --account: the runner does the rest. `args.positional` starts
 *  after the kind's name. */
export interface MailImportKind {
  valueFlags: readonly string[];
  /** Flags without a value the kind takes (e.g. imap's --insecure). */
  booleanFlags?: readonly string[];
  usage: string;
  open(args: ParsedArgs, ctx: ImportKindContext): Promise<ImportSource>;
}

/** A kind that is a command of its own (users from a passwd-file). */
export interface CommandImportKind {
  valueFlags: readonly string[];
  /** Flags without a value (e.g. users' --quota-from-userdb). */
  booleanFlags?: readonly string[];
  usage: string;
  run(args: ParsedArgs, ctx: ImportKindContext): Promise<void>;
}

export type ImportKind = MailImportKind | CommandImportKind;

/** One entry per kind; each kind's engineer adds theirs. */
export const importKinds: Record<string, ImportKind> = {
  imap: importImapKind,
  maildir: importMaildirKind,
  mbox: importMboxKind,
  users: importUsersKind,
};

/** Flags every mail kind takes. */
const commonFlags = ["account", "dedupe", "folder"] as const;

/** Value flags for main.ts's parser: the common ones and every kind's. */
export function importValueFlags(): string[] {
  return ["account", "folder", ...Object.values(importKinds).flatMap((k) => k.valueFlags)];
}

export function importUsage(): string {
  const kinds = Object.values(importKinds).map((k) => k.usage.replace(/^usage: /, ""));
  return `usage: ${kinds.length > 0 ? kinds.join("\n       ") : "yubin import KIND ..."}
common options: --account ADDRESS (the account to fill), --dedupe (skip mail the account
  already holds, by content), --folder NAME (only that folder; may be repeated)`;
}

export const EXIT_SOME_FAILED = 3;

export async function importCommand(env: CliEnv, args: ParsedArgs): Promise<void> {
  const [name, ...rest] = args.positional;
  const kind = name === undefined ? undefined : importKinds[name];
  if (!kind) {
    const known = Object.keys(importKinds).join(", ");
    if (name === undefined) throw new UsageError(importUsage());
    throw new UsageError(`unknown import kind ${JSON.stringify(name)} (known: ${known || "none"})`);
  }
  const sub: ParsedArgs = { ...args, positional: rest };
  const { config } = loadOrCreateConfig(env);
  const ctx: ImportKindContext = { env, config };
  if ("run" in kind) {
    onlyFlags(sub, [...kind.valueFlags, ...(kind.booleanFlags ?? [])]);
    return kind.run(sub, ctx);
  }
  onlyFlags(sub, [...commonFlags, ...kind.valueFlags, ...(kind.booleanFlags ?? [])]);
  const account = args.flags.get("account");
  if (typeof account !== "string") throw new UsageError(`--account ADDRESS is required\n${kind.usage}`);
  const address = checkAddress(account);
  const folders = args.lists?.get("folder");
  await withStore(config, async (store) => {
    const a = await store.directory.getAccountByAddress(address);
    if (!a) throw new CliError(`unknown user ${address} (create it first: yubin user add ${address})`);
    const source = await kind.open(sub, ctx);
    const stderr = env.io.stderr as NodeJS.WritableStream & { isTTY?: boolean };
    const bar = progressPrinter({ out: stderr, tty: stderr.isTTY === true });
    try {
      const summary = await runImport(store, a.id, source, {
        dedupe: args.flags.has("dedupe"),
        maxMessageBytes: config.imap.appendLimit,
        onProgress: bar.onProgress,
        ...(folders ? { folders } : {}),
      });
      bar.end();
      for (const line of summaryLines(summary)) print(env, line);
      if (summary.failed > 0) {
        throw new CliError(`${summary.failed} messages failed (listed above)`, EXIT_SOME_FAILED);
      }
    } catch (e) {
      bar.end();
      if (e instanceof ImportQuotaError) {
        if (e.summary.imported > 0) for (const line of summaryLines(e.summary)) print(env, line);
        throw new CliError(e.message);
      }
      if (e instanceof CliError || !(e instanceof Error) || isBug(e)) throw e;
      // The source failed (connection lost, a file vanished): every batch filed so far stays,
      // with its cursor, so the same command continues after it.
      throw new CliError(
        `import stopped: ${e.message} (what was filed stays; run the same command again to continue)`,
      );
    } finally {
      await source.close().catch(() => undefined);
    }
  });
}

/** Errors of our own code rather than of the source: reported with their stack (exit 70). */
function isBug(e: Error): boolean {
  return (
    e instanceof TypeError ||
    e instanceof ReferenceError ||
    e instanceof SyntaxError ||
    e instanceof RangeError
  );
}
