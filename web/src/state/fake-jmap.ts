// For the state modules' tests: a JMAP account in memory behind the client's interface (JmapApi,
// UploadApi), answering the methods the webmail calls as RFC 8620/8621 say, with result
// references. No network. A request is answered at once, as sent; a test can hold the answer
// back (to look at the screen before the client hears), or refuse a method (an "error" response
// or a notUpdated entry).
import { type Args, type Invocation, Jmap, type JmapApi, type UploadApi, type Uploaded } from "../api/jmap";
import type { Identity } from "../mail/settings";
import type { EmailFull, Mailbox } from "../mail/types";

export type Stored = EmailFull;

/** A message as the store holds it; the fields a test does not care about get defaults. */
export function email(p: Partial<Stored> & { id: string; receivedAt: string }): Stored {
  return {
    threadId: `T${p.id}`,
    mailboxIds: {},
    keywords: {},
    from: [{ name: "Ann", email: "ann@example.com" }],
    to: [{ name: null, email: "me@example.com" }],
    subject: `Subject ${p.id}`,
    preview: "",
    hasAttachment: false,
    size: 100,
    cc: null,
    bcc: null,
    replyTo: null,
    sentAt: null,
    messageId: [`<${p.id}@example.com>`],
    inReplyTo: null,
    references: null,
    textBody: [],
    htmlBody: [],
    attachments: [],
    bodyValues: {},
    ...p,
  };
}

export function mailbox(id: string, name: string, role: string | null, sortOrder = 0): Mailbox {
  return { id, name, parentId: null, role, sortOrder, totalEmails: 0, unreadEmails: 0 };
}

/** RFC 8620 3.7: a JSON Pointer where "*" maps over an array and flattens. */
function pointer(value: unknown, path: string): unknown {
  let cur: unknown[] = [value];
  for (const part of path.split("/").slice(1)) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (part === "*" && Array.isArray(v)) next.push(...v.flat());
      else if (v && typeof v === "object") next.push((v as Record<string, unknown>)[part]);
    }
    cur = next;
  }
  return path.includes("*") ? cur.flat() : cur[0];
}

export class FakeJmap implements JmapApi, UploadApi {
  readonly accountId = "A1";
  maxSizeUpload = 10_000;
  readonly emails = new Map<string, Stored>();
  mailboxes: Mailbox[] = [];
  identities: Identity[] = [
    { id: "I1", name: "Me", email: "me@example.com", textSignature: "", mayDelete: false },
  ];
  /** Every method call, in order, as sent. */
  readonly calls: Invocation[] = [];
  /** Method name → error type: the next call of it answers "error" (RFC 8620 3.6.2). */
  readonly failNext = new Map<string, string>();
  /** Email ids whose Email/set update is refused (notUpdated, RFC 8620 5.3). */
  readonly refuseUpdate = new Set<string>();
  /** The SpamSettings singleton (our extension); a list entry without "@" is refused, as the
   *  server refuses one that is neither an address nor "@domain". */
  spam: { allow: string[]; block: string[] } = { allow: [], block: [] };
  /** App passwords (our extension), as AppPassword/get lists them; a create without a name or
   *  scopes is refused as the server refuses it. */
  appPasswords: Args[] = [];
  /** Mailbox ids Mailbox/set refuses to destroy: mailboxHasEmail (RFC 8621 2.5). */
  readonly notEmpty = new Set<string>();
  readonly uploads: { file: Blob; resolve(u: Uploaded): void; reject(e: Error): void; aborted: boolean }[] =
    [];
  private held: Promise<void> | null = null;
  private heldOne: Promise<void> | null = null;
  private nextId = 1;

  /** Answers to the requests made until the returned function is called wait for it (the
   *  server has acted, the client has not heard yet). */
  hold(): () => void {
    let release = () => {};
    this.held = new Promise((r) => {
      release = () => {
        this.held = null;
        r();
      };
    });
    return release;
  }

  /** Only the next request's answer waits for the returned function. */
  holdNext(): () => void {
    let release = () => {};
    this.heldOne = new Promise((r) => {
      release = r;
    });
    return release;
  }

  methods(): string[] {
    return this.calls.map((c) => c[0]);
  }

  async request(calls: Invocation[]): Promise<Map<string, [string, Args]>> {
    const sent = structuredClone(calls);
    const wait = this.heldOne ?? this.held;
    this.heldOne = null;
    const out = new Map<string, [string, Args]>();
    for (const [name, raw, id] of sent) {
      this.calls.push([name, raw, id]);
      const args: Args = {};
      let failed: string | null = null;
      for (const [k, v] of Object.entries(raw)) {
        if (!k.startsWith("#")) {
          args[k] = v;
          continue;
        }
        const ref = v as { resultOf: string; name: string; path: string };
        const prior = out.get(ref.resultOf);
        if (!prior || prior[0] !== ref.name) failed = "invalidResultReference";
        else args[k.slice(1)] = pointer(prior[1], ref.path);
      }
      const error = failed ?? this.failNext.get(name);
      this.failNext.delete(name);
      out.set(id, error ? ["error", { type: error }] : [name, structuredClone(this.answer(name, args))]);
    }
    await wait;
    return out;
  }

  async call<T = Args>(name: string, args: Args): Promise<T> {
    return Jmap.result<T>(await this.request([[name, { accountId: this.accountId, ...args }, "0"]]), "0");
  }

  upload(file: Blob): { done: Promise<Uploaded>; abort(): void } {
    let entry!: FakeJmap["uploads"][number];
    const done = new Promise<Uploaded>((resolve, reject) => {
      entry = { file, resolve, reject, aborted: false };
    });
    this.uploads.push(entry);
    return {
      done,
      abort: () => {
        entry.aborted = true;
        entry.reject(new Error("aborted"));
      },
    };
  }

  /** Newest first, as the webmail sorts (receivedAt descending). */
  private query(filter: Args): Stored[] {
    const inBox = filter.inMailbox as string | undefined;
    const text = (filter.text as string | undefined)?.toLowerCase();
    return [...this.emails.values()]
      .filter((e) => (inBox ? e.mailboxIds[inBox] : true))
      .filter((e) => (text ? (e.subject ?? "").toLowerCase().includes(text) : true))
      .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt));
  }

  private answer(name: string, a: Args): Args {
    switch (name) {
      case "Mailbox/get":
        return {
          list: this.mailboxes.map((b) => {
            const inBox = this.query({ inMailbox: b.id });
            return {
              ...b,
              totalEmails: inBox.length,
              unreadEmails: inBox.filter((e) => !e.keywords.$seen).length,
            };
          }),
        };
      case "Identity/get":
        return { list: this.identities };
      case "Email/query": {
        let all = this.query((a.filter as Args | undefined) ?? {});
        if (a.collapseThreads)
          all = all.filter((e, i) => all.findIndex((x) => x.threadId === e.threadId) === i);
        const position = (a.position as number | undefined) ?? 0;
        const limit = (a.limit as number | undefined) ?? all.length;
        return { ids: all.slice(position, position + limit).map((e) => e.id), position, total: all.length };
      }
      case "Email/get":
        return { list: ((a.ids as string[]) ?? []).flatMap((id) => this.emails.get(id) ?? []) };
      case "Thread/get": {
        const ids = [...new Set((a.ids as string[]) ?? [])];
        return {
          list: ids.map((id) => ({
            id,
            emailIds: [...this.emails.values()]
              .filter((e) => e.threadId === id)
              .sort((x, y) => x.receivedAt.localeCompare(y.receivedAt))
              .map((e) => e.id),
          })),
        };
      }
      case "Email/set":
        return this.emailSet(a);
      case "Mailbox/set":
        return this.mailboxSet(a);
      case "EmailSubmission/set":
        return { created: { sub: { id: `S${this.nextId++}` } } };
      case "SearchSnippet/get":
        return { list: [] };
      case "SpamSettings/get":
        return { list: [{ id: "singleton", ...this.spam }] };
      case "SpamSettings/set": {
        const patch = (a.update as Record<string, Args> | undefined)?.singleton ?? {};
        const bad = Object.keys(patch).filter(
          (k) => !Array.isArray(patch[k]) || (patch[k] as string[]).some((e) => !e.includes("@")),
        );
        if (bad.length) return { notUpdated: { singleton: { type: "invalidProperties", properties: bad } } };
        this.spam = { ...this.spam, ...(patch as Partial<FakeJmap["spam"]>) };
        return { updated: { singleton: null } };
      }
      case "AppPassword/get":
        return { list: this.appPasswords };
      case "AppPassword/set":
        return this.appPasswordSet(a);
      default:
        return {};
    }
  }

  private appPasswordSet(a: Args): Args {
    const r: Args = {};
    for (const [cid, o] of Object.entries((a.create as Record<string, Args>) ?? {})) {
      const scopes = o.scopes as string[] | undefined;
      if (!o.name || !scopes?.length) {
        r.notCreated = { [cid]: { type: "invalidProperties", properties: ["scopes"] } };
        continue;
      }
      const made = {
        id: `p${this.nextId++}`,
        name: o.name,
        scopes,
        createdAt: "2030-01-01T00:00:00Z",
        lastUsedAt: null,
        lastUsedIp: null,
      };
      this.appPasswords.push(made);
      const profile = o.withAppleProfile ? { appleProfile: "<?xml profile?>" } : {};
      r.created = { [cid]: { ...made, secret: "abcd efgh ijkl mnop", ...profile } };
    }
    for (const id of (a.destroy as string[]) ?? []) {
      const before = this.appPasswords.length;
      this.appPasswords = this.appPasswords.filter((p) => p.id !== id);
      if (this.appPasswords.length === before) r.notDestroyed = { [id]: { type: "notFound" } };
      else r.destroyed = [id];
    }
    return r;
  }

  private emailSet(a: Args): Args {
    const r: Args = {};
    const notUpdated: Args = {};
    for (const [id, patch] of Object.entries((a.update as Record<string, Args>) ?? {})) {
      const e = this.emails.get(id);
      if (!e || this.refuseUpdate.has(id)) {
        notUpdated[id] = { type: e ? "forbidden" : "notFound" };
        continue;
      }
      for (const [k, v] of Object.entries(patch)) {
        if (k === "mailboxIds") e.mailboxIds = v as Record<string, boolean>;
        else if (k.startsWith("keywords/")) {
          const kw = k.slice("keywords/".length);
          if (v === true) e.keywords = { ...e.keywords, [kw]: true };
          else e.keywords = Object.fromEntries(Object.entries(e.keywords).filter(([x]) => x !== kw));
        }
      }
    }
    if (Object.keys(notUpdated).length) r.notUpdated = notUpdated;
    const created: Args = {};
    for (const key of Object.keys((a.create as Args) ?? {})) {
      const id = `M${this.nextId++}`;
      created[key] = { id };
    }
    if (Object.keys(created).length) r.created = created;
    for (const id of (a.destroy as string[]) ?? []) this.emails.delete(id);
    return r;
  }

  private mailboxSet(a: Args): Args {
    for (const [, box] of Object.entries((a.create as Record<string, { name: string }>) ?? {}))
      this.mailboxes.push(mailbox(`B${this.nextId++}`, box.name, null));
    for (const [id, p] of Object.entries((a.update as Record<string, { name: string }>) ?? {}))
      this.mailboxes = this.mailboxes.map((b) => (b.id === id ? { ...b, name: p.name } : b));
    const notDestroyed: Args = {};
    for (const id of (a.destroy as string[]) ?? []) {
      if (this.notEmpty.has(id)) notDestroyed[id] = { type: "mailboxHasEmail" };
      else this.mailboxes = this.mailboxes.filter((b) => b.id !== id);
    }
    return Object.keys(notDestroyed).length ? { notDestroyed } : {};
  }
}
