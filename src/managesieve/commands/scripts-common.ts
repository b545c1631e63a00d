// What the script commands share: reading a script-name or script argument, checking a script
// with the interpreter's compiler (RFC 5804 2.6: errors with line and column as the text), and
// turning the SieveStore's errors into ManageSieve response codes (§1.3).
import { checkSieve } from "../../sieve/index.js";
import { StoreError } from "../../store/errors.js";
import { errors, SieveProtocolError } from "../errors.js";
import { type Arg, badScriptName, textOf } from "../wire/command.js";
import type { Conn } from "./types.js";

/** A script name argument (RFC 5804 §1.6); `allowEmpty` for SETACTIVE "" (deactivate all). */
export function scriptName(arg: Arg | undefined, usage: string, allowEmpty = false): string {
  if (arg?.kind !== "string") throw errors.syntax(usage);
  const name = textOf(arg);
  if (name === null) throw errors.notUtf8();
  if (allowEmpty && name === "") return name;
  const bad = badScriptName(name);
  if (bad) throw errors.badName(bad);
  return name;
}

/** A script argument: UTF-8 (RFC 5804 §1.6 / RFC 5228 2.2) within [sieve] maxScriptBytes. */
export function scriptText(conn: Pick<Conn, "ctx">, arg: Arg | undefined, usage: string): string {
  if (arg?.kind !== "string") throw errors.syntax(usage);
  const max = conn.ctx.config.sieve.maxScriptBytes;
  if (arg.value.length > max) throw errors.tooBig(max);
  const text = textOf(arg);
  if (text === null) throw errors.invalidScript("script is not valid UTF-8");
  return text;
}

/** NO with every diagnostic, "line L, column C: message" each, when the script is not valid. */
export function requireValid(conn: Pick<Conn, "ctx">, source: string): void {
  const found = checkSieve(source, { maxScriptBytes: conn.ctx.config.sieve.maxScriptBytes });
  if (found.length === 0) return;
  throw errors.invalidScript(
    found.map((d) => `line ${d.line}, column ${d.column}: ${d.message}`).join("\r\n"),
  );
}

/** Limits for SieveStore.put: [sieve] maxScripts, and at most that many full-size scripts. */
export function putLimits(conn: Pick<Conn, "ctx">): { maxScripts: number; maxTotalBytes: number } {
  const s = conn.ctx.config.sieve;
  return { maxScripts: s.maxScripts, maxTotalBytes: s.maxScripts * s.maxScriptBytes };
}

/** The store's refusals as ManageSieve responses; anything else goes on (an internal error). */
export function storeRefusal(e: unknown, conn: Pick<Conn, "ctx">): never {
  if (e instanceof StoreError) {
    switch (e.code) {
      case "not-found":
        throw errors.noSuchScript();
      case "exists":
        throw errors.nameTaken();
      case "readonly":
        throw errors.scriptActive();
      case "quota":
        throw errors.tooMany(conn.ctx.config.sieve.maxScripts);
      case "invalid":
        throw new SieveProtocolError(e.message);
      default:
        break;
    }
  }
  throw e;
}
