// yubin export --account ADDRESS [--folder NAME ...] --format maildir|mbox DIR
// An account's mail out as a Maildir++ tree (with dovecot-uidlist, so Dovecot or a later import
// keeps the UIDs) or as mbox files (Thunderbird's layout), streaming (src/export/export.ts).
// DIR must be absent or empty: an export never mixes with files already there.
import { ExportError, exportAccount } from "../../export/export.js";
import { onlyFlags, type ParsedArgs } from "../args.js";
import { type CliEnv, loadOrCreateConfig, print, withStore } from "../env.js";
import { CliError, UsageError } from "../errors.js";
import { checkAddress } from "./user.js";

const usage = "usage: yubin export --account ADDRESS [--folder NAME]... --format maildir|mbox DIR";

export const exportValueFlags = ["account", "folder", "format"];

export async function exportCommand(env: CliEnv, args: ParsedArgs): Promise<void> {
  onlyFlags(args, exportValueFlags);
  const [dir, ...extra] = args.positional;
  const account = args.flags.get("account");
  const format = args.flags.get("format");
  if (dir === undefined || extra.length > 0 || typeof account !== "string") throw new UsageError(usage);
  if (format !== "maildir" && format !== "mbox") throw new UsageError(`--format maildir or mbox\n${usage}`);
  const address = checkAddress(account);
  const folders = args.lists?.get("folder");
  const { config } = loadOrCreateConfig(env);
  await withStore(config, async (store) => {
    const a = await store.directory.getAccountByAddress(address);
    if (!a) throw new CliError(`unknown user ${address}`);
    try {
      const s = await exportAccount(store, a.id, dir, {
        format,
        ...(folders ? { folders } : {}),
        onFolder: (name, n) => env.io.stderr.write(`${name}: ${n} messages\n`),
      });
      print(
        env,
        `exported ${s.messages} messages (${s.bytes} octets) in ${s.folders} folders to ${dir} as ${format}`,
      );
      for (const r of s.renamed) print(env, `folder ${JSON.stringify(r.folder)} written as ${r.path}`);
      if (s.keywordsDropped > 0)
        print(
          env,
          `${s.keywordsDropped} keywords left off (a Maildir folder holds at most 26 distinct keywords)`,
        );
    } catch (e) {
      if (e instanceof ExportError) throw new CliError(e.message);
      throw e;
    }
  });
}
