// Settings and folder operations, each one JMAP call: identities (RFC 8621 6), the vacation
// response (RFC 8621 8), and Mailbox/set create / rename / destroy (RFC 8621 2.5).
import { type Args, type JmapApi, MethodError } from "../api/jmap";

export interface Identity {
  id: string;
  name: string;
  email: string;
  textSignature: string;
  mayDelete: boolean;
}

export interface Vacation {
  isEnabled: boolean;
  fromDate: string | null; // UTCDate
  toDate: string | null;
  subject: string | null;
  textBody: string | null;
}

type SetResult = Record<string, Record<string, { type: string; description?: string }> | null | undefined>;

/** The first failure of a /set, as a MethodError. */
function check(r: SetResult, key: string): void {
  for (const k of ["notCreated", "notUpdated", "notDestroyed"]) {
    const bad = r[k]?.[key];
    if (bad) throw new MethodError(bad.type, bad.description);
  }
}

export async function loadIdentities(jmap: JmapApi): Promise<Identity[]> {
  const r = await jmap.call<{ list: Identity[] }>("Identity/get", {
    properties: ["name", "email", "textSignature", "mayDelete"],
  });
  return r.list;
}

export async function updateIdentity(
  jmap: JmapApi,
  id: string,
  patch: Partial<Pick<Identity, "name" | "textSignature">>,
): Promise<void> {
  check(await jmap.call<SetResult>("Identity/set", { update: { [id]: patch } }), id);
}

export async function loadVacation(jmap: JmapApi): Promise<Vacation> {
  const r = await jmap.call<{ list: Vacation[] }>("VacationResponse/get", { ids: ["singleton"] });
  return r.list[0] ?? { isEnabled: false, fromDate: null, toDate: null, subject: null, textBody: null };
}

export async function saveVacation(jmap: JmapApi, v: Vacation): Promise<void> {
  const patch: Args = { ...v };
  check(await jmap.call<SetResult>("VacationResponse/set", { update: { singleton: patch } }), "singleton");
}

export async function createMailbox(jmap: JmapApi, name: string, parentId: string | null): Promise<void> {
  check(await jmap.call<SetResult>("Mailbox/set", { create: { box: { name, parentId } } }), "box");
}

export async function renameMailbox(jmap: JmapApi, id: string, name: string): Promise<void> {
  check(await jmap.call<SetResult>("Mailbox/set", { update: { [id]: { name } } }), id);
}

/** Refused (mailboxHasEmail) while the folder holds messages: nothing is lost by accident. */
export async function destroyMailbox(jmap: JmapApi, id: string): Promise<void> {
  check(await jmap.call<SetResult>("Mailbox/set", { destroy: [id] }), id);
}

/** The text signature block ("-- " line, RFC 3676 4.3) for a signature, or "". */
export function signatureBlock(sig: string): string {
  const s = sig.trimEnd(); // not /\s+$/: quadratic on a long run of blanks inside the text
  if (s === "") return "";
  return s.startsWith("-- \n") ? s : `-- \n${s}`;
}

/** The body with the identity's signature: after what the user writes, above any quote. */
export function withSignature(body: string, sig: string): string {
  const block = signatureBlock(sig);
  if (block === "") return body;
  return `\n\n${block}${body.startsWith("\n\n") ? body : body === "" ? "" : `\n\n${body}`}`;
}

/** Swap one identity's signature block for another's in a body being written. */
export function swapSignature(body: string, oldSig: string, newSig: string): string {
  const oldBlock = signatureBlock(oldSig);
  const newBlock = signatureBlock(newSig);
  if (oldBlock !== "" && body.includes(oldBlock)) return body.replace(oldBlock, newBlock);
  return newBlock === "" ? body : withSignature(body, newSig);
}

/** A date input's day ("2030-01-02") → UTCDate at the start of that local day, or of the next
 *  day for the last day of an absence (VacationResponse toDate is exclusive, RFC 8621 8). */
export function dateInputToUtc(v: string, lastDay = false): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(v)) return null;
  const [y, m, d] = v.split("-").map(Number) as [number, number, number];
  return new Date(y, m - 1, d + (lastDay ? 1 : 0)).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A UTCDate → the local day for a date input ("" for none); the inverse of dateInputToUtc. */
export function utcToDateInput(v: string | null, lastDay = false): string {
  if (!v) return "";
  const d = new Date(new Date(v).getTime() - (lastDay ? 1 : 0));
  if (Number.isNaN(d.getTime())) return "";
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}
