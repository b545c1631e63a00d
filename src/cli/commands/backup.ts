// yubin backup DIR [--since PREV] [--copy] | restore DIR [--data-dir PATH] [--copy] | verify [--repair]
// The logic is in src/backup/; these only find the data directory and word the results.
// backup and verify run beside a running server; restore and verify --repair need it stopped
// (restore writes a new data directory, repair writes counters the server keeps in memory).
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { backupInstallation } from "../../backup/backup.js";
import { BackupError } from "../../backup/files.js";
import { readManifest } from "../../backup/manifest.js";
import { backupPostgresInstallation, restorePostgresInstallation } from "../../backup/postgres.js";
import { restoreInstallation } from "../../backup/restore.js";
import { describeProblem, verifyInstallation } from "../../backup/verify.js";
import { loadConfigFile } from "../../config/load.js";
import type { Config } from "../../config/schema.js";
import { globalDirOf } from "../../postoffice/sieve-scripts.js";
import { StoreError } from "../../store/errors.js";
import { onlyFlags, type ParsedArgs } from "../args.js";
import { type CliEnv, print } from "../env.js";
import { CliError, UsageError } from "../errors.js";

export const backupValueFlags = ["since", "data-dir"];

/** The config of an existing file (these commands never create one), its dataDir resolved. */
function configOf(env: CliEnv): Config {
  if (!existsSync(env.configPath)) throw new CliError(`no config at ${env.configPath} (--config PATH)`);
  const config = loadConfigFile(env.configPath);
  config.server.dataDir = resolve(config.server.dataDir);
  return config;
}

/** The PostgreSQL URL when the config's store is PostgreSQL, else null (SQLite). */
function postgresUrlOf(config: Config): string | null {
  if (config.storage.backend !== "postgres") return null;
  const url = config.storage.postgresUrl || process.env.YUBIN_POSTGRES_URL || "";
  if (!url) throw new CliError("storage.backend is postgres but storage.postgresUrl is empty");
  return url;
}

function dataDirOf(env: CliEnv): string {
  return configOf(env).server.dataDir;
}

/** What the config names outside the data directory that a restore on a new machine needs. */
function extraPaths(config: Config): string[] {
  const dataDir = config.server.dataDir;
  return [
    config.tls.cert,
    config.tls.key,
    config.sieve.globalBefore,
    config.sieve.globalAfter,
    globalDirOf(config.sieve.globalDir, dataDir),
  ].filter((p) => p !== "");
}

async function failing<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof BackupError || e instanceof StoreError) throw new CliError(e.message);
    throw e;
  }
}

export async function backupCommand(env: CliEnv, args: ParsedArgs): Promise<void> {
  onlyFlags(args, ["since", "copy"]);
  const [dest, ...extra] = args.positional;
  if (!dest || extra.length > 0)
    throw new UsageError("usage: yubin backup DIR [--since PREVIOUS_DIR] [--copy]");
  const since = args.flags.get("since");
  if (since === true) throw new UsageError("--since needs a directory");
  const config = configOf(env);
  const url = postgresUrlOf(config);
  if (url) {
    if (since !== undefined || args.flags.has("copy"))
      throw new UsageError(
        "--since and --copy are for the SQLite store: a PostgreSQL backup is one whole dump",
      );
    const p = await failing(() =>
      backupPostgresInstallation({
        url,
        dataDir: config.server.dataDir,
        extraPaths: extraPaths(config),
        dest,
        configPath: env.configPath,
      }),
    );
    print(
      env,
      `backup ${p.dest} (postgres, schema ${p.schema}): ${p.counts.accounts} accounts, ${p.counts.mailboxes} mailboxes, ${p.counts.messages} messages, ${p.counts.blobs} bodies`,
    );
    print(env, `database dump ${p.database.size} bytes in ${Math.round(p.database.dumpMs)} ms`);
    print(env, `${p.files} other files; done in ${Math.round(p.ms)} ms`);
    return;
  }
  const s = await failing(() =>
    backupInstallation({
      dataDir: config.server.dataDir,
      extraPaths: extraPaths(config),
      dest,
      configPath: env.configPath,
      since,
      copy: args.flags.has("copy"),
    }),
  );
  const b = s.bodies;
  print(
    env,
    `backup ${s.dest} (${s.mode}): ${s.counts.accounts} accounts, ${s.counts.mailboxes} mailboxes, ${s.counts.messages} messages`,
  );
  print(env, `database ${s.database.size} bytes, snapshot in ${Math.round(s.database.vacuumMs)} ms`);
  print(
    env,
    `body files ${b.total} (${b.bytes} bytes): ${b.kept} already there, ${b.fromPrevious} from the previous backup, ${b.linked} linked, ${b.copied} copied; ${b.removed} no longer needed removed`,
  );
  print(env, `${s.files} other files; done in ${Math.round(s.ms)} ms`);
  if (s.missingBodies.length > 0) {
    for (const h of s.missingBodies) print(env, `missing body ${h}`);
    throw new CliError(
      `${s.missingBodies.length} message bodies were missing or damaged in the data directory: run yubin verify`,
    );
  }
}

export async function restoreCommand(env: CliEnv, args: ParsedArgs): Promise<void> {
  onlyFlags(args, ["data-dir", "copy"]);
  const [from, ...extra] = args.positional;
  if (!from || extra.length > 0) throw new UsageError("usage: yubin restore DIR [--data-dir PATH] [--copy]");
  const flag = args.flags.get("data-dir");
  if (flag === true) throw new UsageError("--data-dir needs a directory");
  // The target: --data-dir, else the existing config's, else where the backup was taken from.
  const dataDir =
    flag ?? (existsSync(env.configPath) ? dataDirOf(env) : (await failing(() => readManifest(from))).dataDir);
  const url = existsSync(env.configPath) ? postgresUrlOf(configOf(env)) : null;
  if (url) {
    const p = await failing(() =>
      restorePostgresInstallation({ from, dataDir, url, configPath: env.configPath }),
    );
    const c = p.manifest.counts;
    print(
      env,
      `restored ${p.dataDir} and PostgreSQL schema ${p.manifest.postgres?.schema} from the backup of ${p.manifest.createdAt}`,
    );
    print(
      env,
      `${c.accounts} accounts, ${c.mailboxes} mailboxes, ${c.messages} messages; every body checked`,
    );
    print(env, `${p.files} other files`);
    for (const x of p.external.written) print(env, `restored ${x}`);
    for (const x of p.external.kept) print(env, `kept the existing ${x} (the backup's copy is in ${from})`);
    for (const w of p.warnings) print(env, `warning: ${describeProblem(w)}`);
    print(env, `done in ${Math.round(p.ms)} ms`);
    return;
  }
  const s = await failing(() =>
    restoreInstallation({ from, dataDir, configPath: env.configPath, copy: args.flags.has("copy") }),
  );
  const c = s.manifest.counts;
  print(env, `restored ${s.dataDir} from the backup of ${s.manifest.createdAt}`);
  print(env, `${c.accounts} accounts, ${c.mailboxes} mailboxes, ${c.messages} messages; every body checked`);
  print(
    env,
    `body files ${s.bodies.total}: ${s.bodies.linked} linked, ${s.bodies.copied} copied; ${s.files} other files`,
  );
  if (s.config && "written" in s.config) print(env, `config written to ${s.config.written}`);
  else if (s.config) print(env, `config not written: ${s.config.skipped}`);
  const configured = existsSync(env.configPath) ? dataDirOf(env) : null;
  if (configured !== null && configured !== s.dataDir)
    print(
      env,
      `note: ${env.configPath} names the data directory ${configured}: point its dataDir at ${s.dataDir}`,
    );
  for (const p of s.external.written) print(env, `restored ${p}`);
  for (const p of s.external.kept) print(env, `kept the existing ${p} (the backup's copy is in ${from})`);
  for (const p of s.warnings) print(env, `warning: ${describeProblem(p)}`);
  print(env, `done in ${Math.round(s.ms)} ms`);
}

export async function verifyCommand(env: CliEnv, args: ParsedArgs): Promise<void> {
  onlyFlags(args, ["repair"]);
  if (args.positional.length > 0) throw new UsageError("usage: yubin verify [--repair]");
  const repair = args.flags.has("repair");
  const config = configOf(env);
  const postgresUrl = postgresUrlOf(config) ?? undefined;
  const r = await failing(() => verifyInstallation({ dataDir: config.server.dataDir, repair, postgresUrl }));
  const c = r.checked;
  print(
    env,
    `checked ${c.accounts} accounts, ${c.mailboxes} mailboxes, ${c.messages} messages, ${c.blobs} bodies (${c.bodyBytes} bytes)`,
  );
  for (const p of r.problems) print(env, describeProblem(p));
  if (r.orphanFiles)
    print(
      env,
      `${r.orphanFiles} body files no message uses (a delivery in flight, or left by a crash): the server removes them at start${repair ? "; removed" : ", --repair now"}`,
    );
  if (r.problems.length === 0) {
    print(env, "no problems found");
    return;
  }
  const left = r.problems.length - (r.repaired ?? 0);
  if (repair) print(env, `repaired ${r.repaired ?? 0} problems`);
  // Non-zero whenever problems were found, repaired or not, so a cron job reports them.
  throw new CliError(
    `${r.problems.length} problems found${repair ? `, ${left} left unrepaired` : " (--repair fixes counters and UIDNEXT; not bodies)"}`,
  );
}
