// VacationResponse/set (RFC 8621 8.2): a standard /set where the only object is "singleton":
// create and destroy are refused with the SetError "singleton"; update patches its properties
// (isEnabled, fromDate, toDate, subject, textBody, htmlBody). The auto-reply itself is sent on
// delivery, by src/delivery/vacation.ts.
import type { VacationResponse } from "../../store/types.js";
import { type SetError, setError } from "../core/errors.js";
import { emptySetResult, setArgs, setResponse } from "../core/set.js";
import type { JsonObject, MethodContext } from "../core/types.js";
import { parseUtcDate, SINGLETON } from "./object.js";

const TEXT = new Set(["subject", "textBody", "htmlBody"]);

function patched(cur: VacationResponse, patch: JsonObject, maxBytes: number): VacationResponse | SetError {
  const next = { ...cur };
  const bad: string[] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k === "id") {
      if (v !== SINGLETON) bad.push(k);
    } else if (k === "isEnabled") {
      if (typeof v === "boolean") next.isEnabled = v;
      else bad.push(k);
    } else if (k === "fromDate" || k === "toDate") {
      const d = parseUtcDate(v);
      if (d === undefined) bad.push(k);
      else next[k] = d;
    } else if (TEXT.has(k)) {
      if (v === null || (typeof v === "string" && Buffer.byteLength(v) <= maxBytes))
        next[k as "subject" | "textBody" | "htmlBody"] = v;
      else bad.push(k);
    } else bad.push(k);
  }
  return bad.length > 0 ? setError("invalidProperties", undefined, { properties: bad }) : next;
}

export async function vacationSet(args: JsonObject, mc: MethodContext): Promise<JsonObject> {
  const sa = await setArgs(args, mc, "vacationResponse");
  const settings = mc.services.app.store.settings;
  const r = emptySetResult();
  for (const [cid] of sa.create)
    r.notCreated[cid] = setError("singleton", "there is only one VacationResponse");
  for (const [id, patch] of sa.update) {
    if (id !== SINGLETON) {
      r.notUpdated[id] = setError("notFound");
      continue;
    }
    const next = patched(
      await settings.getVacation(mc.account.id),
      patch,
      mc.services.limits.maxSettingTextBytes,
    );
    if ("type" in next) {
      r.notUpdated[id] = next;
      continue;
    }
    await settings.setVacation(mc.account.id, next);
    r.updated[id] = null;
  }
  for (const id of sa.destroy) {
    r.notDestroyed[id] =
      id === SINGLETON
        ? setError("singleton", "the VacationResponse cannot be destroyed")
        : setError("notFound");
  }
  return setResponse(mc, "vacationResponse", sa.oldState, r);
}
