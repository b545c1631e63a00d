// yubin import users --passwd-file FILE [--domain D] [--quota-from-userdb]: Dovecot users, with
// their password hashes kept (src/import/passwd-file.ts says which schemes and why).
import { importPasswdFile, type UsersImportSummary } from "../../import/passwd-file.js";
import type { ParsedArgs } from "../args.js";
import { onlyFlags } from "../args.js";
import { type CliEnv, print, withStore } from "../env.js";
import { CliError, UsageError } from "../errors.js";
import { checkDomain } from "./domain.js";
import type { CommandImportKind, ImportKindContext } from "./import.js";

const usage =
  "usage: yubin import users --passwd-file FILE [--domain DOMAIN] [--quota-from-userdb]   (Dovecot users; passwords kept)";

export const importUsersKind: CommandImportKind = {
  valueFlags: ["passwd-file", "domain"],
  booleanFlags: ["quota-from-userdb"],
  usage,
  run: importUsers,
};

async function importUsers(args: ParsedArgs, { env, config }: ImportKindContext): Promise<void> {
  onlyFlags(args, ["passwd-file", "domain", "quota-from-userdb"]);
  if (args.positional.length > 0) throw new UsageError(usage);
  const path = args.flags.get("passwd-file");
  if (typeof path !== "string") throw new UsageError(usage);
  const d = args.flags.get("domain");
  if (d === true) throw new UsageError("--domain needs a value");
  const domain = d === undefined ? undefined : checkDomain(d, []);
  const sum = await withStore(config, (store) =>
    importPasswdFile(store, {
      path,
      ...(domain === undefined ? {} : { domain }),
      quotaFromUserdb: args.flags.has("quota-from-userdb"),
      defaultQuotaBytes: config.quota.defaultBytes,
      defaultQuotaMessages: config.quota.defaultMessages,
    }).catch((e: NodeJS.ErrnoException) => {
      if (e.code === "ENOENT" || e.code === "EACCES" || e.code === "EISDIR")
        throw new CliError(`cannot read ${path}: ${e.message}`);
      throw e;
    }),
  );
  printSummary(env, sum);
  if (sum.failed > 0) throw new CliError(`${sum.failed} user(s) not imported`, 1);
}

function printSummary(env: CliEnv, sum: UsersImportSummary): void {
  for (const a of sum.createdList) print(env, `created\t${a}`);
  for (const a of sum.existingList) print(env, `exists\t${a}\t(skipped, unchanged)`);
  for (const f of sum.failures) print(env, `failed\tline ${f.line}\t${f.user}\t${f.reason}`);
  const disabled = sum.createdDisabled ? ` (${sum.createdDisabled} disabled: nologin)` : "";
  print(
    env,
    `${sum.created} created${disabled}, ${sum.existing} already existed, ${sum.failed} failed` +
      (sum.created + sum.existing + sum.failed >
      sum.createdList.length + sum.existingList.length + sum.failures.length
        ? " (lists shortened)"
        : ""),
  );
}
