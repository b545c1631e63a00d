// Mailbox/set (RFC 8621 2.5): create under a parent, rename / move (name, parentId),
// subscribe, destroy (refused while it has children, or emails unless onDestroyRemoveEmails).
// Names may not contain the store's hierarchy delimiter "/".
import { StoreError } from "../../store/errors.js";
import type { Mailbox, SpecialUse } from "../../store/types.js";
import { optBool } from "../core/args.js";
import { type SetError, setError } from "../core/errors.js";
import { mailboxIdOf } from "../core/ids.js";
import { emptySetResult, setArgs, setResponse } from "../core/set.js";
import type { JsonObject, MethodContext } from "../core/types.js";
import { loadMailboxes, type MailboxSet } from "./load.js";
import { DELIMITER, leafName, parentName, roleOf, SPECIAL_USE_OF } from "./object.js";

const SETTABLE = new Set(["name", "parentId", "role", "sortOrder", "isSubscribed"]);

function invalid(props: string[], description?: string): SetError {
  return setError("invalidProperties", description, { properties: props });
}

function storeError(e: unknown): SetError {
  if (e instanceof StoreError) {
    if (e.code === "exists") return setError("alreadyExists", e.message);
    if (e.code === "not-found") return setError("notFound", e.message);
    if (e.code === "invalid") return invalid(["name"], e.message);
  }
  throw e;
}

/** Full store name for (parent, leaf), or a SetError. */
function fullName(boxes: MailboxSet, o: JsonObject, current: Mailbox | null): string | SetError {
  const name = o.name ?? (current ? leafName(current) : undefined);
  if (typeof name !== "string" || name === "" || name.includes(DELIMITER)) {
    return invalid(["name"], `name must be a non-empty string without "${DELIMITER}"`);
  }
  let parent: string | null = current ? parentName(current) : null;
  if (o.parentId !== undefined) {
    if (o.parentId === null) parent = null;
    else {
      const pm = boxes.find(o.parentId as string);
      if (!pm) return invalid(["parentId"], "no such parent mailbox");
      parent = pm.name;
    }
  }
  const full = parent === null ? name : `${parent}${DELIMITER}${name}`;
  if (
    current &&
    (full === current.name || full.startsWith(current.name + DELIMITER)) &&
    full !== current.name
  ) {
    return invalid(["parentId"], "a mailbox cannot move under itself");
  }
  return full;
}

export async function mailboxSet(args: JsonObject, mc: MethodContext): Promise<JsonObject> {
  const sa = await setArgs(args, mc, "mailbox");
  const onDestroyRemoveEmails = optBool(args, "onDestroyRemoveEmails", false);
  const store = mc.services.app.store.mail;
  const r = emptySetResult();
  let boxes = await loadMailboxes(mc);

  for (const [cid, o] of sa.create) {
    const bad = Object.keys(o).filter((k) => !SETTABLE.has(k));
    if (bad.length > 0) {
      r.notCreated[cid] = invalid(bad);
      continue;
    }
    let specialUse: SpecialUse | null = null;
    if (o.role !== undefined && o.role !== null) {
      const su = typeof o.role === "string" ? SPECIAL_USE_OF[o.role] : undefined;
      if (!su || boxes.list.some((m) => roleOf(m) === o.role)) {
        r.notCreated[cid] = invalid(["role"], "unknown role, or one already in use");
        continue;
      }
      specialUse = su;
    }
    const full = fullName(boxes, o, null);
    if (typeof full !== "string") {
      r.notCreated[cid] = full;
      continue;
    }
    try {
      const m = await store.createMailbox(mc.account.id, full, { specialUse });
      if (o.isSubscribed === false) await store.setSubscribed(m.id, false);
      mc.createdIds.set(cid, mailboxIdOf(m.id));
      r.created[cid] = {
        id: mailboxIdOf(m.id),
        sortOrder: 100,
        totalEmails: 0,
        unreadEmails: 0,
        totalThreads: 0,
        unreadThreads: 0,
        isSubscribed: o.isSubscribed !== false,
        myRights: {
          mayReadItems: true,
          mayAddItems: true,
          mayRemoveItems: true,
          maySetSeen: true,
          maySetKeywords: true,
          mayCreateChild: true,
          mayRename: true,
          mayDelete: true,
          maySubmit: true,
        },
      };
      boxes = await loadMailboxes(mc);
    } catch (e) {
      r.notCreated[cid] = storeError(e);
    }
  }

  for (const [id, patch] of sa.update) {
    const m = boxes.find(id);
    if (!m) {
      r.notUpdated[id] = setError("notFound");
      continue;
    }
    const bad = Object.keys(patch).filter((k) => !SETTABLE.has(k));
    if (bad.length > 0) {
      r.notUpdated[id] = invalid(bad);
      continue;
    }
    if (patch.role !== undefined && patch.role !== roleOf(m)) {
      r.notUpdated[id] = invalid(["role"], "roles cannot be changed");
      continue;
    }
    try {
      if (patch.name !== undefined || patch.parentId !== undefined) {
        const full = fullName(boxes, patch, m);
        if (typeof full !== "string") {
          r.notUpdated[id] = full;
          continue;
        }
        if (full !== m.name) {
          if (m.name === "INBOX") {
            r.notUpdated[id] = setError("forbidden", "INBOX cannot be renamed");
            continue;
          }
          await store.renameMailbox(m.id, full);
        }
      }
      if (typeof patch.isSubscribed === "boolean" && patch.isSubscribed !== m.subscribed) {
        await store.setSubscribed(m.id, patch.isSubscribed);
      }
      r.updated[id] = null;
      boxes = await loadMailboxes(mc);
    } catch (e) {
      r.notUpdated[id] = storeError(e);
    }
  }

  for (const id of sa.destroy) {
    const m = boxes.find(id);
    if (!m) {
      r.notDestroyed[id] = setError("notFound");
      continue;
    }
    if (m.name === "INBOX") {
      r.notDestroyed[id] = setError("forbidden", "INBOX cannot be destroyed");
      continue;
    }
    if (boxes.list.some((c) => parentName(c) === m.name)) {
      r.notDestroyed[id] = setError("mailboxHasChild");
      continue;
    }
    const counts = await store.mailboxCounts(m.id);
    if (counts.messages > 0 && !onDestroyRemoveEmails) {
      r.notDestroyed[id] = setError("mailboxHasEmail");
      continue;
    }
    await store.deleteMailbox(m.id);
    r.destroyed.push(id);
    boxes = await loadMailboxes(mc);
  }
  return setResponse(mc, "mailbox", sa.oldState, r);
}
