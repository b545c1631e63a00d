// A message being written: the fields, the sending identity (its signature swapped in the body
// when another is chosen), attachments uploaded at once with their progress (RFC 8620 6.1), a
// draft saved a moment after the last change (each save replaces the previous draft: emails are
// immutable, RFC 8621 4), and Send: checked first, then Email/set + EmailSubmission/set (RFC 8621
// 7.5, mail/actions.ts). ui/Composer.tsx renders it; what is wrong is said by kind, the view words it.
import type { JmapApi, UploadApi } from "../api/jmap";
import * as mail from "../mail/actions";
import { type Draft, parseAddresses } from "../mail/compose";
import { type Identity, swapSignature } from "../mail/settings";
import { Store } from "./store";

/** Quiet time after the last change before the draft is saved. */
export const DRAFT_DELAY_MS = 1500;

export interface Attachment {
  key: number;
  name: string;
  type: string;
  size: number;
  loaded: number;
  /** Set once uploaded (or at once for a forwarded part, which is on the server already). */
  blobId: string | null;
  error: boolean;
}

export interface ComposerFields {
  to: string;
  cc: string;
  bcc: string;
  subject: string;
  body: string;
}

export type ComposerProblem =
  | { kind: "badAddress"; address: string }
  | { kind: "noRecipients" }
  | { kind: "waitUploads" }
  | { kind: "uploadFailed"; name: string }
  | { kind: "sendFailed"; reason: string };

export type DraftStatus =
  | { kind: "saving" }
  | { kind: "saved"; at: Date }
  | { kind: "saveFailed"; reason: string };

export interface ComposerState extends ComposerFields {
  identity: Identity;
  attachments: Attachment[];
  status: DraftStatus | null;
  problem: ComposerProblem | null;
  sending: boolean;
  /** Edits since the composer opened (0: nothing to save on close). */
  changes: number;
}

/** Why the message cannot be sent yet, or null: every address parses, there is a recipient,
 *  every attachment is uploaded. */
export function checkSendable(f: ComposerFields, attachments: Attachment[]): ComposerProblem | null {
  const parsed = [parseAddresses(f.to), parseAddresses(f.cc), parseAddresses(f.bcc)];
  const bad = parsed.flatMap((p) => p.bad)[0];
  if (bad !== undefined) return { kind: "badAddress", address: bad };
  if (parsed.every((p) => p.list.length === 0)) return { kind: "noRecipients" };
  if (attachments.some((a) => !a.blobId && !a.error)) return { kind: "waitUploads" };
  const failed = attachments.find((a) => a.error);
  if (failed) return { kind: "uploadFailed", name: failed.name };
  return null;
}

const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class Composer extends Store<ComposerState> {
  private nextKey = 1;
  private draftId: string | null = null;
  private saving: Promise<void> | null = null;
  private closed = false;
  private sendingNow = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly aborts = new Map<number, () => void>();
  private readonly initial: Draft;

  constructor(
    private readonly jmap: JmapApi & UploadApi,
    private readonly opts: {
      /** The account's identities; the first is the default. Must not be empty. */
      identities: Identity[];
      draftsId: string;
      sentId: string;
      initial: Draft;
    },
  ) {
    const init = opts.initial;
    const identity = opts.identities[0];
    if (!identity) throw new Error("no identity to send from");
    let key = 1;
    super({
      to: init.to,
      cc: init.cc,
      bcc: init.bcc,
      subject: init.subject,
      body: init.body,
      identity,
      attachments: init.forwardParts.map((p) => ({
        key: key++,
        name: p.name ?? "attachment",
        type: p.type,
        size: p.size,
        loaded: p.size,
        blobId: p.blobId,
        error: false,
      })),
      status: null,
      problem: null,
      sending: false,
      changes: 0,
    });
    this.nextKey = key;
    this.initial = init;
  }

  /** A change by the user: the draft is saved DRAFT_DELAY_MS after the last one. */
  private changed(): void {
    this.set({ changes: this.state.changes + 1 });
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.saveDraft(), DRAFT_DELAY_MS);
  }

  edit(field: keyof ComposerFields, value: string): void {
    this.set({ [field]: value });
    this.changed();
  }

  chooseIdentity(id: string): void {
    const next = this.opts.identities.find((i) => i.id === id);
    if (!next) return;
    const body = swapSignature(this.state.body, this.state.identity.textSignature, next.textSignature);
    this.set({ identity: next, body });
    this.changed();
  }

  private patchAttachment(key: number, p: Partial<Attachment>): void {
    this.set({ attachments: this.state.attachments.map((a) => (a.key === key ? { ...a, ...p } : a)) });
  }

  /** Upload each file at once; one over the server's maxSizeUpload is marked failed unsent. */
  addFiles(files: Iterable<File>): void {
    for (const file of files) {
      const key = this.nextKey++;
      const att: Attachment = {
        key,
        name: file.name,
        type: file.type || "application/octet-stream",
        size: file.size,
        loaded: 0,
        blobId: null,
        error: file.size > this.jmap.maxSizeUpload,
      };
      this.set({ attachments: [...this.state.attachments, att] });
      if (att.error) continue;
      const up = this.jmap.upload(file, (loaded) => this.patchAttachment(key, { loaded }));
      this.aborts.set(key, up.abort);
      up.done.then(
        (r) => {
          this.aborts.delete(key);
          this.patchAttachment(key, { blobId: r.blobId, loaded: file.size });
          this.changed();
        },
        () => {
          this.aborts.delete(key);
          this.patchAttachment(key, { error: true });
        },
      );
    }
  }

  removeAttachment(key: number): void {
    this.aborts.get(key)?.();
    this.aborts.delete(key);
    this.set({ attachments: this.state.attachments.filter((a) => a.key !== key) });
    this.changed();
  }

  private outgoing(): mail.OutgoingEmail {
    const s = this.state;
    return {
      from: { name: s.identity.name || null, email: s.identity.email },
      to: parseAddresses(s.to).list,
      cc: parseAddresses(s.cc).list,
      bcc: parseAddresses(s.bcc).list,
      subject: s.subject,
      body: s.body,
      attachments: s.attachments.flatMap((a) =>
        a.blobId ? [{ blobId: a.blobId, type: a.type, name: a.name, size: a.size }] : [],
      ),
      inReplyTo: this.initial.inReplyTo,
      references: this.initial.references,
    };
  }

  /** Save now, one save at a time; never while sending or after the composer closed. */
  async saveDraft(): Promise<void> {
    clearTimeout(this.timer);
    if (!this.opts.draftsId || this.sendingNow || this.closed) return;
    await this.saving;
    if (this.sendingNow || this.closed) return;
    this.set({ status: { kind: "saving" } });
    const run = mail.saveDraft(this.jmap, this.outgoing(), this.opts.draftsId, this.draftId).then(
      (id) => {
        this.draftId = id;
        this.set({ status: { kind: "saved", at: new Date() } });
      },
      (e) => this.set({ status: { kind: "saveFailed", reason: reason(e) } }),
    );
    this.saving = run;
    await run;
  }

  /** True once sent (the message is in Sent); false with state.problem set otherwise. */
  async send(): Promise<boolean> {
    const problem = checkSendable(this.state, this.state.attachments);
    this.set({ problem });
    if (problem) return false;
    clearTimeout(this.timer);
    this.set({ sending: true });
    this.sendingNow = true;
    try {
      await this.saving;
      await mail.sendEmail(this.jmap, this.outgoing(), {
        identityId: this.state.identity.id,
        draftsId: this.opts.draftsId,
        sentId: this.opts.sentId,
        previousDraftId: this.draftId,
        answeredId: this.initial.replyToId,
      });
      this.closed = true;
      return true;
    } catch (e) {
      this.set({ problem: { kind: "sendFailed", reason: reason(e) } });
      return false;
    } finally {
      this.sendingNow = false;
      this.set({ sending: false });
    }
  }

  /** The view is gone (e.g. logged out): no save may fire later. */
  dispose(): void {
    clearTimeout(this.timer);
  }

  /** Close and throw the draft away, uploads in progress included. */
  async discard(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    await this.saving;
    for (const abort of this.aborts.values()) abort();
    if (this.draftId) await mail.destroy(this.jmap, [this.draftId]).catch(() => undefined);
  }

  /** Close, keeping what was written as a draft. */
  async close(): Promise<void> {
    if (this.state.changes > 0 && !this.draftId) await this.saveDraft();
    this.closed = true;
    clearTimeout(this.timer);
  }
}
