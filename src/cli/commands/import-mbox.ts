// yubin import mbox PATH --account A [--folder NAME]
// Mail from an mbox file or a directory of them (src/import/mbox/source.ts). For a single file,
// --folder names the folder it fills (default INBOX for a file named Inbox, INBOX or mbox, else
// the file's name); for a directory it selects folders, as for every kind.
import { stat } from "node:fs/promises";
import { MboxSourceError, openMboxSource } from "../../import/mbox/source.js";
import type { ImportSource } from "../../import/types.js";
import type { ParsedArgs } from "../args.js";
import { CliError, UsageError } from "../errors.js";
import type { ImportKindContext, MailImportKind } from "./import.js";

const usage = "usage: yubin import mbox FILE|DIRECTORY --account ADDRESS [--folder NAME]";

async function open(args: ParsedArgs, ctx: ImportKindContext): Promise<ImportSource> {
  const [path, ...extra] = args.positional;
  if (path === undefined || extra.length > 0) throw new UsageError(usage);
  const folders = args.lists?.get("folder") ?? [];
  const isFile = await stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
  if (isFile && folders.length > 1)
    throw new UsageError("one --folder for a single mbox file (the folder it fills)");
  try {
    return await openMboxSource(path, {
      maxMessageBytes: ctx.config.imap.appendLimit,
      ...(isFile && folders[0] !== undefined ? { folder: folders[0] } : {}),
    });
  } catch (e) {
    if (e instanceof MboxSourceError) throw new CliError(e.message);
    throw e;
  }
}

export const importMboxKind: MailImportKind = { valueFlags: [], usage, open };
