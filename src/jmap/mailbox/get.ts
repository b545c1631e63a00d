// Mailbox/get (RFC 8621 2.2, RFC 8620 5.1).
import { mailboxIdOf } from "../core/ids.js";
import { getArgs } from "../core/standard.js";
import { currentState } from "../core/state.js";
import type { Json, JsonObject, MethodContext } from "../core/types.js";
import { loadMailboxes, mailboxStats } from "./load.js";
import { MAILBOX_PROPERTIES, mailboxObject } from "./object.js";

const COUNT_PROPS = ["totalEmails", "unreadEmails", "totalThreads", "unreadThreads"];

export async function mailboxGet(args: JsonObject, mc: MethodContext): Promise<JsonObject> {
  const { ids, properties } = getArgs(args, mc, {
    defaults: MAILBOX_PROPERTIES,
    known: (p) => MAILBOX_PROPERTIES.includes(p),
  });
  const state = await currentState(mc, "mailbox");
  const boxes = await loadMailboxes(mc);
  const list: Json[] = [];
  const notFound: string[] = [];
  const wanted = ids === null ? boxes.list : [];
  if (ids !== null) {
    for (const id of ids) {
      const m = boxes.find(id);
      if (m) wanted.push(m);
      else notFound.push(id);
    }
  }
  const needStats = properties.some((p) => COUNT_PROPS.includes(p));
  const threadState = needStats ? (await mc.services.app.store.mail.changeState(mc.account.id)).thread : 0;
  for (const m of wanted) {
    const stats = needStats
      ? await mailboxStats(mc, m, threadState)
      : { totalEmails: 0, unreadEmails: 0, totalThreads: 0, unreadThreads: 0 };
    list.push(mailboxObject(m, boxes.byName, stats, properties));
  }
  return { accountId: mc.accountId, state, list, notFound };
}

export { mailboxIdOf };
