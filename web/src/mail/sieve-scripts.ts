// The user's Sieve scripts over JMAP (RFC 9661, capability urn:ietf:params:jmap:sieve):
// SieveScript/get lists them, a script's text travels as a blob (uploaded with RFC 8620 6.1,
// read with the download URL), SieveScript/set creates or replaces one and activates it
// (onSuccessActivateScript), SieveScript/validate checks a text without storing it. The
// rules editor keeps its rules in one script, RULES_SCRIPT; the raw editor lists them all.
import type { JmapApi } from "../api/jmap";
import { MethodError } from "../api/jmap";

/** RFC 9661 2: the SieveScript object. */
export interface SieveScript {
  id: string;
  name: string | null;
  blobId: string;
  isActive: boolean;
}

/** A script's text to and from the server's blob store. */
export interface ScriptBlobs {
  upload(text: string): Promise<string>;
  download(script: SieveScript): Promise<string>;
}

type SetError = { type: string; description?: string };
type SetErrors = Record<string, SetError> | null | undefined;

/** A script the server refused (RFC 9661 2.2 invalidSieve, …): the description carries the
 *  interpreter's line and column diagnostics. */
export class ScriptError extends MethodError {}

export async function listScripts(jmap: JmapApi): Promise<SieveScript[]> {
  const r = await jmap.call<{ list: SieveScript[] }>("SieveScript/get", {
    ids: null,
    properties: ["id", "name", "blobId", "isActive"],
  });
  return r.list;
}

/** The text of the script named `name`, and the script (null when there is none). */
export async function readNamed(
  jmap: JmapApi,
  blobs: ScriptBlobs,
  name: string,
): Promise<{ script: SieveScript | null; text: string; all: SieveScript[] }> {
  const all = await listScripts(jmap);
  const script = all.find((s) => s.name === name) ?? null;
  return { script, text: script ? await blobs.download(script) : "", all };
}

/** Stores `text` as the script `name` (replacing it when `id` is given) and, if `activate`,
 *  makes it the active one in the same call: RFC 9661 2.2 activates "if and only if all of the
 *  creations, modifications, and destructions succeed", so a refused script never goes live. */
export async function saveScript(
  jmap: JmapApi,
  blobs: ScriptBlobs,
  p: { id: string | null; name: string; text: string; activate: boolean },
): Promise<SieveScript> {
  const blobId = await blobs.upload(p.text);
  const args: Record<string, unknown> = p.id
    ? { update: { [p.id]: { blobId } } }
    : { create: { new: { name: p.name, blobId } } };
  if (p.activate) args.onSuccessActivateScript = p.id ?? "#new";
  const r = await jmap.call<{
    created?: Record<string, Partial<SieveScript>> | null;
    notCreated?: SetErrors;
    notUpdated?: SetErrors;
  }>("SieveScript/set", args);
  const bad = p.id ? r.notUpdated?.[p.id] : r.notCreated?.new;
  if (bad) throw new ScriptError(bad.type, bad.description);
  const id = p.id ?? r.created?.new?.id;
  if (!id) throw new MethodError("serverFail", "SieveScript/set created nothing");
  return { id, name: p.name, blobId: r.created?.new?.blobId ?? blobId, isActive: p.activate };
}

/** Makes the script active (the one active before is deactivated), or none when id is null
 *  (RFC 9661 2.2 onSuccessDeactivateScript). */
export async function activateScript(jmap: JmapApi, id: string | null): Promise<void> {
  await jmap.call(
    "SieveScript/set",
    id ? { onSuccessActivateScript: id } : { onSuccessDeactivateScript: true },
  );
}

/** Deletes a script; the active one must be deactivated first (RFC 9661 2.2 sieveIsActive). */
export async function destroyScript(jmap: JmapApi, id: string): Promise<void> {
  const r = await jmap.call<{ notDestroyed?: SetErrors }>("SieveScript/set", { destroy: [id] });
  const bad = r.notDestroyed?.[id];
  if (bad && bad.type !== "notFound") throw new ScriptError(bad.type, bad.description);
}

/** RFC 9661 2.4 SieveScript/validate: null when the text is a valid script, else the server's
 *  error (type invalidSieve, the description its diagnostics). */
export async function validateScript(
  jmap: JmapApi,
  blobs: ScriptBlobs,
  text: string,
): Promise<SetError | null> {
  const blobId = await blobs.upload(text);
  const r = await jmap.call<{ error?: SetError | null }>("SieveScript/validate", { blobId });
  return r.error ?? null;
}

/** The line and column of each "line N, column M: message" in a server's description (the
 *  interpreter's diagnostics, one a line); lines that do not say where stay whole. */
export function diagnostics(
  description: string,
): { line: number | null; column: number | null; message: string }[] {
  const out: { line: number | null; column: number | null; message: string }[] = [];
  for (const raw of description.split("\n")) {
    const text = raw.trim();
    if (!text) continue;
    const m = /^line (\d+), column (\d+): (.*)$/.exec(text);
    out.push(
      m
        ? { line: Number(m[1]), column: Number(m[2]), message: m[3] ?? "" }
        : { line: null, column: null, message: text },
    );
  }
  return out;
}
