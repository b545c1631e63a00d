// The mail operations the UI performs, each one JMAP request (RFC 8621): mailboxes, threads,
// keywords, moves, drafts and sending.
import { type Args, Jmap, type JmapApi, MethodError } from "../api/jmap";
import type { EmailAddress, EmailFull, Mailbox } from "./types";
import { FULL_PROPERTIES, MAILBOX_PROPERTIES } from "./types";

/** Largest decoded body the reader asks for; the rest is marked truncated. */
const MAX_BODY_BYTES = 1_000_000;
/** Most messages of one conversation shown at once. */
const MAX_THREAD = 100;

export async function loadMailboxes(jmap: JmapApi): Promise<Mailbox[]> {
  const r = await jmap.call<{ list: Mailbox[] }>("Mailbox/get", { properties: MAILBOX_PROPERTIES });
  const rank: Record<string, number> = { inbox: 0, drafts: 1, sent: 2, archive: 3, junk: 4, trash: 5 };
  return r.list.sort(
    (a, b) =>
      (rank[a.role ?? ""] ?? 10) - (rank[b.role ?? ""] ?? 10) ||
      a.sortOrder - b.sortOrder ||
      a.name.localeCompare(b.name),
  );
}

/** The conversation of an email, oldest first (RFC 8621 3: Thread/get gives the order). */
export async function loadThread(jmap: JmapApi, emailId: string): Promise<EmailFull[]> {
  const acc = jmap.accountId;
  const r = await jmap.request([
    ["Email/get", { accountId: acc, ids: [emailId], properties: ["threadId"] }, "e"],
    [
      "Thread/get",
      { accountId: acc, "#ids": { resultOf: "e", name: "Email/get", path: "/list/*/threadId" } },
      "t",
    ],
    [
      "Email/get",
      {
        accountId: acc,
        "#ids": { resultOf: "t", name: "Thread/get", path: "/list/*/emailIds" },
        properties: FULL_PROPERTIES,
        fetchTextBodyValues: true,
        fetchHTMLBodyValues: true,
        maxBodyValueBytes: MAX_BODY_BYTES,
      },
      "g",
    ],
  ]);
  const list = Jmap.result<{ list: EmailFull[] }>(r, "g").list;
  if (list.length === 0) {
    // The thread lookup failed (e.g. moved meanwhile): the email alone.
    const one = await jmap.call<{ list: EmailFull[] }>("Email/get", {
      ids: [emailId],
      properties: FULL_PROPERTIES,
      fetchTextBodyValues: true,
      fetchHTMLBodyValues: true,
      maxBodyValueBytes: MAX_BODY_BYTES,
    });
    return one.list;
  }
  return list.slice(-MAX_THREAD);
}

/** One Email/set of several updates (RFC 8621 4.6); the first refusal is thrown. */
export async function update(jmap: JmapApi, patches: Record<string, Args>): Promise<void> {
  const r = await jmap.call<{ notUpdated?: Record<string, { type: string; description?: string }> | null }>(
    "Email/set",
    { update: patches },
  );
  const failed = Object.values(r.notUpdated ?? {})[0];
  if (failed) throw new MethodError(failed.type, failed.description);
}

export function setKeyword(jmap: JmapApi, ids: string[], keyword: string, on: boolean): Promise<void> {
  return update(
    jmap,
    Object.fromEntries(ids.map((id) => [id, { [`keywords/${keyword}`]: on ? true : null }])),
  );
}

export function moveTo(jmap: JmapApi, ids: string[], mailboxId: string): Promise<void> {
  return update(jmap, Object.fromEntries(ids.map((id) => [id, { mailboxIds: { [mailboxId]: true } }])));
}

export async function destroy(jmap: JmapApi, ids: string[]): Promise<void> {
  await jmap.call("Email/set", { destroy: ids });
}

export interface OutgoingEmail {
  from: EmailAddress;
  to: EmailAddress[];
  cc: EmailAddress[];
  bcc: EmailAddress[];
  subject: string;
  body: string;
  attachments: { blobId: string; type: string; name: string; size: number }[];
  inReplyTo: string[] | null;
  references: string[] | null;
}

function emailObject(o: OutgoingEmail, mailboxId: string): Args {
  const e: Args = {
    mailboxIds: { [mailboxId]: true },
    keywords: { $draft: true, $seen: true },
    from: [o.from],
    subject: o.subject,
    textBody: [{ partId: "body", type: "text/plain" }],
    bodyValues: { body: { value: o.body } },
    attachments: o.attachments.map((a) => ({
      blobId: a.blobId,
      type: a.type,
      name: a.name,
      disposition: "attachment",
    })),
  };
  if (o.to.length) e.to = o.to;
  if (o.cc.length) e.cc = o.cc;
  if (o.bcc.length) e.bcc = o.bcc;
  if (o.inReplyTo?.length) e.inReplyTo = o.inReplyTo;
  if (o.references?.length) e.references = o.references;
  return e;
}

function created(r: Map<string, [string, Args]>, call: string, key: string): string {
  const res = Jmap.result<{
    created?: Record<string, { id: string }> | null;
    notCreated?: Record<string, { type: string; description?: string }> | null;
  }>(r, call);
  const bad = res.notCreated?.[key];
  if (bad) throw new MethodError(bad.type, bad.description);
  const id = res.created?.[key]?.id;
  if (!id) throw new MethodError("serverFail", "not created");
  return id;
}

/** Emails cannot change (RFC 8621 4): a save is a new draft replacing the previous one. */
export async function saveDraft(
  jmap: JmapApi,
  o: OutgoingEmail,
  draftsId: string,
  previousId: string | null,
): Promise<string> {
  const r = await jmap.request([
    [
      "Email/set",
      {
        accountId: jmap.accountId,
        create: { draft: emailObject(o, draftsId) },
        ...(previousId ? { destroy: [previousId] } : {}),
      },
      "s",
    ],
  ]);
  return created(r, "s", "draft");
}

/** Create the message in Drafts, submit it, and on success move it to Sent (RFC 8621 7.5). */
export async function sendEmail(
  jmap: JmapApi,
  o: OutgoingEmail,
  opts: {
    identityId: string;
    draftsId: string;
    sentId: string;
    previousDraftId: string | null;
    answeredId: string | null;
  },
): Promise<void> {
  const acc = jmap.accountId;
  const calls: [string, Args, string][] = [
    [
      "Email/set",
      {
        accountId: acc,
        create: { msg: emailObject(o, opts.draftsId) },
        ...(opts.previousDraftId ? { destroy: [opts.previousDraftId] } : {}),
      },
      "c",
    ],
    [
      "EmailSubmission/set",
      {
        accountId: acc,
        create: { sub: { identityId: opts.identityId, emailId: "#msg" } },
        onSuccessUpdateEmail: { "#sub": { mailboxIds: { [opts.sentId]: true }, "keywords/$draft": null } },
      },
      "s",
    ],
  ];
  const r = await jmap.request(calls);
  created(r, "c", "msg");
  created(r, "s", "sub");
  if (opts.answeredId) await setKeyword(jmap, [opts.answeredId], "$answered", true).catch(() => undefined);
}
