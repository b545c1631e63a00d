// Folders with unread counts; each is a drop target for messages dragged from the list.
import { useState } from "preact/hooks";
import { type MessageKey, t } from "../i18n";
import type { Mailbox } from "../mail/types";

export const DRAG_TYPE = "application/x-yubin-emails";

export function mailboxLabel(b: Mailbox): string {
  return b.role && ["inbox", "drafts", "sent", "trash", "junk", "archive"].includes(b.role)
    ? t(`mailbox.${b.role}` as MessageKey)
    : b.name;
}

function depth(b: Mailbox, byId: Map<string, Mailbox>): number {
  let d = 0;
  for (let p = b.parentId; p && d < 10; p = byId.get(p)?.parentId ?? null) d++;
  return d;
}

export function Sidebar(props: {
  mailboxes: Mailbox[];
  currentId: string | null;
  onSelect(id: string): void;
  onDropEmails(ids: string[], mailboxId: string): void;
}) {
  const [over, setOver] = useState<string | null>(null);
  const byId = new Map(props.mailboxes.map((b) => [b.id, b]));
  return (
    <nav class="sidebar" aria-label={t("app.menu")}>
      <ul>
        {props.mailboxes.map((b) => (
          <li key={b.id}>
            <button
              type="button"
              class={`mailbox ${b.id === props.currentId ? "current" : ""} ${over === b.id ? "drop" : ""}`}
              style={{ paddingLeft: `${0.75 + depth(b, byId)}rem` }}
              data-role={b.role ?? ""}
              aria-current={b.id === props.currentId ? "page" : undefined}
              onClick={() => props.onSelect(b.id)}
              onDragOver={(e) => {
                if (e.dataTransfer?.types.includes(DRAG_TYPE)) {
                  e.preventDefault();
                  e.dataTransfer.dropEffect = "move";
                  setOver(b.id);
                }
              }}
              onDragLeave={() => setOver(null)}
              onDrop={(e) => {
                e.preventDefault();
                setOver(null);
                const raw = e.dataTransfer?.getData(DRAG_TYPE);
                if (!raw) return;
                try {
                  const ids = JSON.parse(raw) as unknown;
                  if (Array.isArray(ids))
                    props.onDropEmails(
                      ids.filter((x): x is string => typeof x === "string"),
                      b.id,
                    );
                } catch {
                  // not ours
                }
              }}
            >
              <span class="name">{mailboxLabel(b)}</span>
              {b.unreadEmails > 0 && (
                <span class="count" title={t("mailbox.unread", { n: b.unreadEmails })}>
                  {b.unreadEmails}
                </span>
              )}
            </button>
          </li>
        ))}
      </ul>
    </nav>
  );
}
