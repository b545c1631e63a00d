// yubin import maildir PATH --account A [--layout maildir++|fs]
// A Dovecot or Courier Maildir (src/import/maildir/source.ts): PATH is the user's Maildir root
// (its cur/ and new/ are the INBOX). The layout is detected unless given: Maildir++ when the root
// holds `.Name` folders, else Dovecot's LAYOUT=fs.
import { MaildirError, openMaildirSource } from "../../import/maildir/source.js";
import type { ImportSource } from "../../import/types.js";
import type { ParsedArgs } from "../args.js";
import { CliError, UsageError } from "../errors.js";
import type { ImportKindContext, MailImportKind } from "./import.js";

const usage = "usage: yubin import maildir PATH --account ADDRESS [--layout maildir++|fs]";

async function open(args: ParsedArgs, ctx: ImportKindContext): Promise<ImportSource> {
  const [path, ...extra] = args.positional;
  if (path === undefined || extra.length > 0) throw new UsageError(usage);
  const layout = args.flags.get("layout");
  if (layout !== undefined && layout !== "maildir++" && layout !== "fs")
    throw new UsageError(`--layout is maildir++ or fs\n${usage}`);
  try {
    return await openMaildirSource(path, {
      maxMessageBytes: ctx.config.imap.appendLimit,
      ...(layout !== undefined ? { layout } : {}),
    });
  } catch (e) {
    if (e instanceof MaildirError) throw new CliError(e.message);
    throw e;
  }
}

export const importMaildirKind: MailImportKind = { valueFlags: ["layout"], usage, open };
