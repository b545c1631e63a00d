// yubin import imap --host H [--port P] [--tls implicit|starttls|none] --user U
//   (--password-file F | --password-env VAR | --oauth-token-file F | a prompt on a terminal)
//   [--insecure] --account A [--folder NAME ...] [--exclude-folder NAME ...]
// Mail from a live IMAP server (src/import/imap/source.ts). Never a password on the command
// line: argv is readable by every local user (ps, /proc/PID/cmdline).
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { ImapSourceError, type ImapTls, openImapSource } from "../../import/imap/source.js";
import type { ImportSource } from "../../import/types.js";
import type { ParsedArgs } from "../args.js";
import { intFlag } from "../args.js";
import { CliError, UsageError } from "../errors.js";
import type { Io } from "../password-input.js";
import type { ImportKindContext, MailImportKind } from "./import.js";

const usage =
  "usage: yubin import imap --host HOST [--port PORT] [--tls implicit|starttls|none] --user USER " +
  "(--password-file FILE | --password-env VAR | --oauth-token-file FILE | prompted) [--insecure] " +
  "[--exclude-folder NAME] --account ADDRESS";

/** A secret in a file ends at its first line end (files made by `echo` carry one). */
const MAX_SECRET_BYTES = 64 * 1024;

async function secretFile(path: string, what: string): Promise<string> {
  const text = await readFile(path, "utf8").catch((e: NodeJS.ErrnoException) => {
    throw new CliError(`cannot read the ${what} file ${path}: ${e.message}`);
  });
  if (text.length > MAX_SECRET_BYTES) throw new CliError(`the ${what} file ${path} is larger than 64 KiB`);
  const first = text.split(/\r?\n/, 1)[0] ?? "";
  if (first === "") throw new CliError(`the ${what} file ${path} is empty`);
  return first;
}

/** Reads a line from the terminal without echoing it. */
function promptHidden(io: Io, question: string): Promise<string> {
  return new Promise((resolve) => {
    io.stderr.write(question);
    const rl = createInterface({ input: io.stdin, terminal: true, output: undefined });
    rl.question("", (answer) => {
      rl.close();
      io.stderr.write("\n");
      resolve(answer);
    });
  });
}

function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  if (v === true) throw new UsageError(`--${name} needs a value`);
  return v;
}

async function credentials(args: ParsedArgs, io: Io): Promise<{ password?: string; accessToken?: string }> {
  const given = ["password-file", "password-env", "oauth-token-file"].filter((f) => args.flags.has(f));
  if (given.length > 1) throw new UsageError(`--${given.join(" and --")} exclude each other`);
  if (args.flags.has("password"))
    throw new UsageError("no --password: use --password-file or --password-env");
  const tokenFile = stringFlag(args, "oauth-token-file");
  if (tokenFile !== undefined) return { accessToken: await secretFile(tokenFile, "token") };
  const file = stringFlag(args, "password-file");
  if (file !== undefined) return { password: await secretFile(file, "password") };
  const env = stringFlag(args, "password-env");
  if (env !== undefined) {
    const v = process.env[env];
    if (v === undefined || v === "") throw new CliError(`environment variable ${env} is not set`);
    return { password: v };
  }
  if (io.stdin.isTTY) return { password: await promptHidden(io, "Password on the source server: ") };
  throw new UsageError(
    "no password: use --password-file, --password-env or --oauth-token-file, or run in a terminal",
  );
}

async function open(args: ParsedArgs, ctx: ImportKindContext): Promise<ImportSource> {
  if (args.positional.length > 0) throw new UsageError(usage);
  const host = stringFlag(args, "host");
  const user = stringFlag(args, "user");
  if (!host || !user) throw new UsageError(`--host and --user are required\n${usage}`);
  const tls = (stringFlag(args, "tls") ?? "implicit") as ImapTls;
  if (!["implicit", "starttls", "none"].includes(tls))
    throw new UsageError("--tls must be implicit, starttls or none");
  const port = intFlag(args, "port");
  if (port !== undefined && (port < 1 || port > 65535)) throw new UsageError("--port must be 1-65535");
  const secret = await credentials(args, ctx.env.io);
  const include = args.lists?.get("folder") ?? [];
  const exclude = args.lists?.get("exclude-folder") ?? [];
  try {
    return await openImapSource({
      host,
      ...(port !== undefined ? { port } : {}),
      tls,
      user,
      ...secret,
      rejectUnauthorized: !args.flags.has("insecure"),
      folders: { include, exclude },
      // The same cap the runner gives the engine: a larger message is not even downloaded.
      maxMessageBytes: ctx.config.imap.appendLimit,
      connectTimeoutMs: ctx.config.import.imapConnectTimeoutSec * 1000,
      socketTimeoutMs: ctx.config.import.imapIdleTimeoutSec * 1000,
      groupBytes: ctx.config.import.imapFetchGroupBytes,
    });
  } catch (e) {
    if (e instanceof ImapSourceError) throw new CliError(e.message);
    throw e;
  }
}

export const importImapKind: MailImportKind = {
  valueFlags: [
    "host",
    "port",
    "tls",
    "user",
    "password-file",
    "password-env",
    "oauth-token-file",
    "exclude-folder",
  ],
  booleanFlags: ["insecure"],
  usage,
  open,
};
