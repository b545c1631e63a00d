// yubin sieve list|get|put|activate|deactivate|rename|delete|check — an account's Sieve scripts
// (RFC 5228), the same ones ManageSieve, JMAP and the webmail's rules editor manage: rows in the
// shared database, so a running server runs a newly activated script at the next delivery.
// `put` and `check` compile the script first and refuse an invalid one with every error as
// FILE:LINE:COLUMN: message (exit 1); nothing is stored then.
import { readFile } from "node:fs/promises";
import type { Config } from "../../config/schema.js";
import { badScriptName } from "../../managesieve/wire/command.js";
import { checkSieve } from "../../sieve/index.js";
import { StoreError } from "../../store/errors.js";
import type { Account, Store } from "../../store/types.js";
import { onlyFlags, type ParsedArgs } from "../args.js";
import { type CliEnv, loadOrCreateConfig, print, withStore } from "../env.js";
import { CliError, UsageError } from "../errors.js";
import { checkAddress } from "./user.js";

const usage = `usage: yubin sieve list ADDRESS
       yubin sieve get ADDRESS NAME
       yubin sieve put ADDRESS NAME [FILE|-] [--activate]   (no FILE or -: the script on stdin)
       yubin sieve activate ADDRESS NAME | deactivate ADDRESS
       yubin sieve rename ADDRESS OLD NEW | delete ADDRESS NAME
       yubin sieve check FILE|-`;

export async function sieveCommand(env: CliEnv, args: ParsedArgs): Promise<void> {
  const [sub, ...rest] = args.positional;
  onlyFlags(args, sub === "put" ? ["activate"] : []);
  const { config } = loadOrCreateConfig(env);
  const exactly = (n: number) => {
    if (rest.length !== n) throw new UsageError(usage);
  };
  switch (sub) {
    case "list":
      exactly(1);
      return withAccount(config, rest[0], async (store, a) => {
        for (const s of await store.sieve.list(a.id)) print(env, s.active ? `${s.name}\t(active)` : s.name);
      });
    case "get":
      exactly(2);
      return withAccount(config, rest[0], async (store, a) => {
        const s = await store.sieve.get(a.id, scriptName(rest[1]));
        if (!s) throw new CliError(`${a.address} has no script ${JSON.stringify(rest[1])}`);
        env.io.stdout.write(s.content);
      });
    case "put": {
      if (rest.length !== 2 && rest.length !== 3) throw new UsageError(usage);
      const name = scriptName(rest[1]);
      const file = rest[2] ?? "-";
      const source = await readScript(env, config, file);
      mustCompile(config, source, file);
      return withAccount(config, rest[0], async (store, a) => {
        const s = config.sieve;
        await store.sieve
          .put(a.id, name, source, {
            maxScripts: s.maxScripts,
            maxTotalBytes: s.maxScripts * s.maxScriptBytes,
          })
          .catch(storeError);
        if (args.flags.has("activate")) await store.sieve.setActive(a.id, name);
        print(env, `stored ${name} for ${a.address}${args.flags.has("activate") ? " (active)" : ""}`);
      });
    }
    case "activate":
      exactly(2);
      return withAccount(config, rest[0], async (store, a) => {
        const name = scriptName(rest[1]);
        await store.sieve.setActive(a.id, name).catch(storeError);
        print(env, `${name} is now the active script of ${a.address}`);
      });
    case "deactivate":
      exactly(1);
      return withAccount(config, rest[0], async (store, a) => {
        await store.sieve.setActive(a.id, null);
        print(env, `no active script for ${a.address}`);
      });
    case "rename":
      exactly(3);
      return withAccount(config, rest[0], async (store, a) => {
        await store.sieve.rename(a.id, scriptName(rest[1]), scriptName(rest[2])).catch(storeError);
        print(env, `renamed ${rest[1]} to ${rest[2]}`);
      });
    case "delete":
      exactly(2);
      return withAccount(config, rest[0], async (store, a) => {
        await store.sieve.remove(a.id, scriptName(rest[1])).catch(storeError);
        print(env, `deleted ${rest[1]}`);
      });
    case "check": {
      exactly(1);
      const file = rest[0]!;
      mustCompile(config, await readScript(env, config, file), file);
      print(env, `${file === "-" ? "stdin" : file}: valid`);
      return;
    }
    default:
      throw new UsageError(usage);
  }
}

async function withAccount(
  config: Config,
  address: string | undefined,
  fn: (store: Store, account: Account) => Promise<void>,
): Promise<void> {
  const addr = checkAddress(address);
  await withStore(config, async (store) => {
    const a = await store.directory.getAccountByAddress(addr);
    if (!a) throw new CliError(`unknown user ${addr}`);
    await fn(store, a);
  });
}

function scriptName(s: string | undefined): string {
  if (s === undefined) throw new UsageError(usage);
  const bad = badScriptName(s);
  if (bad) throw new CliError(bad);
  return s;
}

/** The script from FILE or stdin ("-"): UTF-8, at most [sieve] maxScriptBytes. */
async function readScript(env: CliEnv, config: Config, file: string): Promise<string> {
  const max = config.sieve.maxScriptBytes;
  let bytes: Buffer;
  if (file === "-") {
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const c of env.io.stdin) {
      const b = Buffer.isBuffer(c) ? c : Buffer.from(String(c));
      total += b.length;
      if (total > max) throw new CliError(`script on stdin is larger than [sieve] maxScriptBytes (${max})`);
      chunks.push(b);
    }
    bytes = Buffer.concat(chunks);
  } else {
    bytes = await readFile(file).catch((e: NodeJS.ErrnoException) => {
      throw new CliError(`cannot read ${file}: ${e.code ?? e.message}`);
    });
    if (bytes.length > max) throw new CliError(`${file} is larger than [sieve] maxScriptBytes (${max})`);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new CliError(`${file === "-" ? "stdin" : file}: not UTF-8 (RFC 5228 2.2)`);
  }
}

/** Every error of an invalid script, compiler style (FILE:LINE:COLUMN: message). */
function mustCompile(config: Config, source: string, file: string): void {
  const found = checkSieve(source, { maxScriptBytes: config.sieve.maxScriptBytes });
  if (found.length === 0) return;
  const where = file === "-" ? "stdin" : file;
  throw new CliError(
    `invalid script:\n${found.map((d) => `${where}:${d.line}:${d.column}: ${d.message}`).join("\n")}`,
  );
}

function storeError(e: unknown): never {
  if (e instanceof StoreError) {
    if (e.code === "readonly")
      throw new CliError(`${e.message} (deactivate it first: yubin sieve deactivate)`);
    throw new CliError(e.message);
  }
  throw e;
}
