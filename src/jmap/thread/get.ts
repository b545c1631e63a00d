// Thread/get (RFC 8621 3.1): a thread's emailIds, oldest first.
import { MethodError } from "../core/errors.js";
import { emailIdOf, parseThreadId, threadIdOf } from "../core/ids.js";
import { getArgs } from "../core/standard.js";
import { currentState } from "../core/state.js";
import type { Json, JsonObject, MethodContext } from "../core/types.js";

export async function threadGet(args: JsonObject, mc: MethodContext): Promise<JsonObject> {
  const { ids, properties } = getArgs(args, mc, {
    defaults: ["id", "emailIds"],
    known: (p) => p === "id" || p === "emailIds",
  });
  if (ids === null) throw new MethodError("requestTooLarge", "Thread/get needs ids");
  const state = await currentState(mc, "thread");
  const nums = ids.map(parseThreadId);
  const found = await mc.services.app.store.mail.threadMessages(
    mc.account.id,
    nums.filter((n): n is number => n !== null),
  );
  const byThread = new Map<number, string[]>();
  for (const m of found) {
    const l = byThread.get(m.threadId) ?? [];
    l.push(emailIdOf(m.id));
    byThread.set(m.threadId, l);
  }
  const list: Json[] = [];
  const notFound: string[] = [];
  ids.forEach((id, i) => {
    const n = nums[i];
    const emails = n == null ? undefined : byThread.get(n);
    if (!emails || n == null) {
      notFound.push(id);
      return;
    }
    const o: JsonObject = { id: threadIdOf(n) };
    if (properties.includes("emailIds")) o.emailIds = emails;
    list.push(o);
  });
  return { accountId: mc.accountId, state, list, notFound };
}
