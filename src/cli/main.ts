// The `yubin` command line. Global option: --config PATH (default data/yubin.toml, or $YUBIN_CONFIG).
import { ConfigError } from "../config/load.js";
import { parseArgs } from "./args.js";
import { aliasCommand } from "./commands/alias.js";
import { appPasswordValueFlags } from "./commands/app-password.js";
import { backupCommand, backupValueFlags, restoreCommand, verifyCommand } from "./commands/backup.js";
import { configCommand } from "./commands/config.js";
import { dkimCommand } from "./commands/dkim.js";
import { domainCommand } from "./commands/domain.js";
import { exportCommand, exportValueFlags } from "./commands/export.js";
import { importCommand, importValueFlags } from "./commands/import.js";
import { migrateStoreCommand, migrateStoreValueFlags } from "./commands/migrate-store.js";
import { queueCommand } from "./commands/queue.js";
import { sieveCommand } from "./commands/sieve.js";
import { spamCommand, spamValueFlags } from "./commands/spam.js";
import { spamListsValueFlags } from "./commands/spam-lists.js";
import { statusCommand } from "./commands/status.js";
import { userCommand } from "./commands/user.js";
import { userAdminValueFlags } from "./commands/user-admin.js";
import { limitFlags } from "./commands/user-limits.js";
import { type CliEnv, defaultConfigPath } from "./env.js";
import { CliError } from "./errors.js";

const help = `usage: yubin [--config PATH] COMMAND
  serve [--workers N]                    run the mail server (N processes sharing the listeners and the store)
  status                                 listeners, certificate, queue, the server's recent errors (exit 1: something red)
  domain add|list|remove DOMAIN
  domain dns DOMAIN [--check]            DNS records the domain needs (--check: compare with DNS)
  dkim list [DOMAIN] | dkim rotate DOMAIN | dkim remove DOMAIN SELECTOR
  user add ADDRESS [--password-stdin] [--admin] [--quota-bytes N] [--quota-messages N]
  user passwd ADDRESS [--password-stdin]
  user admin ADDRESS --domain D [--domain D2]... | --global | --none   administrator of domains, of all, or none
  user list [DOMAIN] | user remove ADDRESS
  user disable|enable ADDRESS            no mail, no login; its open sessions end at once
  user app-password add ADDRESS --name NAME [--scopes imap,pop3,smtp,jmap,managesieve] [--mobileconfig FILE]
  user app-password list ADDRESS | user app-password revoke ADDRESS ID   per-device passwords
  user 2fa status|reset ADDRESS          two-factor login (reset: a lost phone; removes all factors)
  alias add ADDRESS TARGET... | alias list [DOMAIN] | alias remove ADDRESS   (@domain = catch-all)
  import KIND ... --account ADDRESS [--dedupe] [--folder NAME]...   mail from another server
                                         (\`yubin import\` lists the kinds and their options)
  export --account ADDRESS [--folder NAME]... --format maildir|mbox DIR   an account's mail as files
  queue list | held | counts | show ID | retry ID|all | release ID | delete ID   the outbound queue
  spam allow|block list|add|remove ADDRESS [SENDER...]   a user's spam allow/block lists (address or @domain)
  spam prefs ADDRESS [--junk-score N|default] [--file-into-junk yes|no|default]
  spam verdicts [--limit N]              the filter's recent verdicts with their reasons
  spam train --as spam|ham (--account ADDRESS --folder NAME | --mbox FILE)   train the classifier
  spam forget (--account ADDRESS --folder NAME | --mbox FILE) | spam status | spam check < MESSAGE
  sieve list ADDRESS | get ADDRESS NAME | put ADDRESS NAME [FILE|-] [--activate]   mail rules (Sieve)
  sieve activate ADDRESS NAME | deactivate ADDRESS | rename ADDRESS OLD NEW | delete ADDRESS NAME
  sieve check FILE|-                     check a Sieve script (errors as FILE:LINE:COLUMN)
  config check | config sample
  backup DIR [--since PREVIOUS_DIR] [--copy]   online backup (database snapshot, bodies linked or copied, keys, config)
  restore DIR [--data-dir PATH] [--copy] restore a backup into a new or empty data directory
  verify [--repair]                      check bodies against their hashes, reference counts, UIDs, quotas
  migrate-store --to postgres://… [--resume] [--verify-only]   copy this SQLite store into an empty PostgreSQL database, verified`;

const commands = {
  // Loaded only when asked for: it brings the whole server (every protocol, the store, TLS), which
  // every other command would otherwise load too (~2 s of each `yubin` call, tsx compiling).
  serve: async (...a: Parameters<typeof import("./commands/serve.js").serveCommand>) =>
    (await import("./commands/serve.js")).serveCommand(...a),
  domain: domainCommand,
  dkim: dkimCommand,
  user: userCommand,
  alias: aliasCommand,
  queue: queueCommand,
  import: importCommand,
  export: exportCommand,
  spam: spamCommand,
  sieve: sieveCommand,
  config: configCommand,
  backup: backupCommand,
  restore: restoreCommand,
  verify: verifyCommand,
  "migrate-store": migrateStoreCommand,
  status: statusCommand,
};

export async function main(argv: string[], io: CliEnv["io"]): Promise<number> {
  try {
    const args = parseArgs(argv, [
      "config",
      "workers",
      "password",
      "quota-bytes",
      "quota-messages",
      ...Object.keys(limitFlags),
      ...spamListsValueFlags,
      ...spamValueFlags,
      ...appPasswordValueFlags,
      ...userAdminValueFlags,
      ...importValueFlags(),
      ...exportValueFlags,
      ...backupValueFlags,
      ...migrateStoreValueFlags,
    ]);
    const configFlag = args.flags.get("config");
    args.flags.delete("config");
    const [name, ...rest] = args.positional;
    if (!name || name === "help" || args.flags.has("help")) {
      io.stdout.write(help + "\n");
      return name ? 0 : 2;
    }
    const cmd = commands[name as keyof typeof commands];
    if (!cmd) throw new CliError(`unknown command ${JSON.stringify(name)} (try \`yubin help\`)`, 2);
    const configPath =
      typeof configFlag === "string" ? configFlag : (process.env.YUBIN_CONFIG ?? defaultConfigPath);
    await cmd({ configPath, io }, { positional: rest, flags: args.flags, lists: args.lists });
    return 0;
  } catch (e) {
    if (e instanceof CliError || e instanceof ConfigError) {
      io.stderr.write(`yubin: ${e.message}\n`);
      return e instanceof CliError ? e.exitCode : 1;
    }
    io.stderr.write(`yubin: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return 70;
  }
}

const code = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
process.exitCode = code;
