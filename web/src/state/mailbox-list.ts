// The folders of the account (RFC 8621 2): loaded once at start and again after every change
// pushed by the server or made here, in the order the sidebar shows them (mail/actions.ts), with
// their unread counts; create, rename and delete (Mailbox/set).
import type { JmapApi } from "../api/jmap";
import * as mail from "../mail/actions";
import * as settings from "../mail/settings";
import type { Mailbox } from "../mail/types";
import { Store } from "./store";

export interface MailboxListState {
  mailboxes: Mailbox[];
}

export class MailboxList extends Store<MailboxListState> {
  /** Answers of loads started earlier than the last one shown are dropped (no going back). */
  private asked = 0;
  private shown = 0;

  constructor(private readonly jmap: JmapApi) {
    super({ mailboxes: [] });
  }

  async load(): Promise<Mailbox[]> {
    const n = ++this.asked;
    const mailboxes = await mail.loadMailboxes(this.jmap);
    if (n > this.shown) {
      this.shown = n;
      this.set({ mailboxes });
    }
    return this.state.mailboxes;
  }

  /** A reload whose failure changes nothing (the next push or action loads again). */
  reload(): Promise<void> {
    return this.load().then(
      () => undefined,
      () => undefined,
    );
  }

  byId(id: string): Mailbox | undefined {
    return this.state.mailboxes.find((b) => b.id === id);
  }

  /** The folder with a special use (RFC 8621 2: role, as RFC 6154's), if the account has one. */
  byRole(role: string): Mailbox | undefined {
    return this.state.mailboxes.find((b) => b.role === role);
  }

  /** Where the screen starts: the Inbox, or the first folder. */
  home(): Mailbox | undefined {
    return this.byRole("inbox") ?? this.state.mailboxes[0];
  }

  unreadInInbox(): number {
    return this.byRole("inbox")?.unreadEmails ?? 0;
  }

  /** Rejects with the server's MethodError (e.g. invalidProperties for a taken name). */
  async create(name: string): Promise<void> {
    await settings.createMailbox(this.jmap, name, null);
    await this.reload();
  }

  async rename(id: string, name: string): Promise<void> {
    await settings.renameMailbox(this.jmap, id, name);
    await this.reload();
  }

  /** Rejects with MethodError mailboxHasEmail while the folder holds messages. */
  async destroy(id: string): Promise<void> {
    await settings.destroyMailbox(this.jmap, id);
    await this.reload();
  }
}
