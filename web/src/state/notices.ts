// Short notices at the foot of the screen ("Moved to Archive", "Message sent."): a few can show at
// once, each goes after a while. The state says what happened; the view words it (i18n).
import type { EmailAddress, Mailbox } from "../mail/types";
import { Store } from "./store";

export const NOTICE_MS = 4000;
export const MAX_NOTICES = 3;

export type Notice =
  | { kind: "error"; reason: string }
  | { kind: "moved"; to: Mailbox }
  | { kind: "newMail"; from: EmailAddress[] | null }
  | { kind: "sent" }
  | { kind: "folderNotEmpty" }
  /** Already worded by the view that raised it (the settings dialog). */
  | { kind: "text"; text: string };

export interface NoticesState {
  list: { id: number; notice: Notice }[];
}

export class Notices extends Store<NoticesState> {
  private nextId = 1;

  constructor() {
    super({ list: [] });
  }

  say(notice: Notice): void {
    const id = this.nextId++;
    this.set({ list: [...this.state.list.slice(-(MAX_NOTICES - 1)), { id, notice }] });
    setTimeout(() => this.set({ list: this.state.list.filter((x) => x.id !== id) }), NOTICE_MS);
  }

  fail(e: unknown): void {
    this.say({ kind: "error", reason: e instanceof Error ? e.message : String(e) });
  }
}
