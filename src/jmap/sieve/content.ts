// A script's content as SieveScript/set and /validate receive it (RFC 9661 2.2): the bytes of an
// uploaded blob, which must be UTF-8 (RFC 5228 2.1) no longer than maxSizeScript, and a valid
// script for our interpreter (its diagnostics, with line and column, in the SetError).
import { compileSieve } from "../../sieve/index.js";
import { SieveCompileError } from "../../sieve/types.js";
import { readBlobFor } from "../blob/resolve.js";
import { type SetError, setError } from "../core/errors.js";
import type { MethodContext } from "../core/types.js";

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** The script text of a blob, or the SetError: blobNotFound, tooLarge, invalidSieve. */
export async function scriptText(
  mc: MethodContext,
  blobId: string,
): Promise<{ ok: true; text: string } | { ok: false; error: SetError }> {
  const fail = (error: SetError) => ({ ok: false as const, error });
  const blob = await readBlobFor(mc, blobId);
  if (!blob) return fail(setError("blobNotFound", `no blob ${blobId}`, { notFound: [blobId] }));
  const max = mc.services.app.config.sieve.maxScriptBytes;
  if (blob.data.length > max)
    return fail(setError("tooLarge", `a script may have at most ${max} octets (maxSizeScript)`));
  try {
    // ignoreBOM: a leading BOM is kept, so the blob reads back byte for byte.
    return { ok: true, text: utf8.decode(blob.data) };
  } catch {
    return fail(setError("invalidSieve", "the script is not UTF-8 text (RFC 5228 2.1)"));
  }
}

/** null when the script compiles; else invalidSieve with every diagnostic, "line L, column C:
 *  message" one per line (RFC 9661 2.4: the description says what is wrong). */
export function checkScript(mc: MethodContext, text: string): SetError | null {
  try {
    compileSieve(text, { maxScriptBytes: mc.services.app.config.sieve.maxScriptBytes });
    return null;
  } catch (e) {
    if (e instanceof SieveCompileError) return setError("invalidSieve", e.message);
    throw e;
  }
}
