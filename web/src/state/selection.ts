// What the screen shows: a folder or a search (the view), the keyboard cursor in its list, and
// the open conversation, loaded oldest first (mail/actions.ts loadThread). A conversation that
// arrives after another was opened is dropped.
import type { JmapApi } from "../api/jmap";
import * as mail from "../mail/actions";
import type { EmailFull, EmailSummary } from "../mail/types";
import type { ListModel } from "./message-list";
import { Store } from "./store";

export type View = { kind: "mailbox"; id: string } | { kind: "search"; text: string; back: string };

export interface SelectionState {
  view: View | null;
  cursor: number;
  openId: string | null;
  thread: EmailFull[] | null;
}

export class Selection extends Store<SelectionState> {
  /** Counts thread loads: only the answer to the latest is shown. */
  private asked = 0;

  constructor(private readonly jmap: JmapApi) {
    super({ view: null, cursor: 0, openId: null, thread: null });
  }

  show(view: View): void {
    this.asked++;
    this.set({ view, cursor: 0, openId: null, thread: null });
  }

  /** The folder the view lists, if it lists one (a search lists several). */
  mailboxId(): string | null {
    const v = this.state.view;
    return v?.kind === "mailbox" ? v.id : null;
  }

  setCursor(i: number): void {
    this.set({ cursor: Math.max(0, i) });
  }

  next(total: number | null): void {
    this.set({ cursor: Math.min(this.state.cursor + 1, Math.max(0, (total ?? 1) - 1)) });
  }

  prev(): void {
    this.set({ cursor: Math.max(0, this.state.cursor - 1) });
  }

  open(id: string, cursor = this.state.cursor): void {
    if (id === this.state.openId) {
      this.set({ cursor });
      return;
    }
    this.asked++;
    this.set({ openId: id, cursor, thread: null });
  }

  close(): void {
    this.asked++;
    this.set({ openId: null, thread: null });
  }

  /** Load (or reload) the open conversation; null if none is open or another was opened since. */
  async loadThread(): Promise<EmailFull[] | null> {
    const id = this.state.openId;
    if (!id) return null;
    const n = ++this.asked;
    const list = await mail.loadThread(this.jmap, id);
    if (n !== this.asked || this.state.openId !== id) return null;
    this.set({ thread: list });
    return list;
  }

  /** The open message as loaded, if loaded. */
  opened(): EmailFull | undefined {
    const { openId, thread } = this.state;
    return openId ? thread?.find((e) => e.id === openId) : undefined;
  }

  /** The message the flag key acts on: the open one, else the one under the cursor. */
  current(list: ListModel | null): EmailSummary | undefined {
    return this.opened() ?? list?.emailAt(this.state.cursor);
  }

  /** The emails an action applies to: the open conversation's in this folder, or the row's. */
  targets(list: ListModel | null): string[] {
    const { openId, thread } = this.state;
    const box = this.mailboxId();
    if (openId && thread && box) {
      const ids = thread.filter((e) => e.mailboxIds[box]).map((e) => e.id);
      return ids.length ? ids : [openId];
    }
    if (openId) return [openId];
    const id = list?.idAt(this.state.cursor);
    return id ? [id] : [];
  }

  /** Change keywords of loaded thread messages (an optimistic flag, or its rollback). */
  setKeywords(change: Map<string, Record<string, boolean>>): void {
    const thread = this.state.thread;
    if (!thread?.some((e) => change.has(e.id))) return;
    this.set({ thread: thread.map((e) => ({ ...e, keywords: change.get(e.id) ?? e.keywords })) });
  }
}
