// Folders with unread counts; each is a drop target for messages dragged from the list. Below
// them: create a folder, and rename or delete the current one (folders with a role, such as
// the Inbox, stay as they are).
import { useState } from "preact/hooks";
import { type MessageKey, t } from "../i18n";
import { DRAG_TYPE, draggedIds, folderDepth, folderLeaf, namedRole } from "../mail/folders";
import type { Mailbox } from "../mail/types";

export { DRAG_TYPE };

export function mailboxLabel(b: Mailbox): string {
  const role = namedRole(b);
  return role ? t(`mailbox.${role}` satisfies MessageKey) : b.name;
}

export function Sidebar(props: {
  mailboxes: Mailbox[];
  currentId: string | null;
  onSelect(id: string): void;
  onDropEmails(ids: string[], mailboxId: string): void;
  onCreate(name: string): Promise<void>;
  onRename(id: string, name: string): Promise<void>;
  onDelete(box: Mailbox): void;
}) {
  const [over, setOver] = useState<string | null>(null);
  const [edit, setEdit] = useState<{ kind: "create" } | { kind: "rename"; id: string } | null>(null);
  const [name, setName] = useState("");
  const byId = new Map(props.mailboxes.map((b) => [b.id, b]));
  const current = props.currentId ? byId.get(props.currentId) : undefined;
  const own = current && !current.role ? current : undefined;
  return (
    <nav class="sidebar" aria-label={t("app.menu")}>
      <ul>
        {props.mailboxes.map((b) => (
          <li key={b.id}>
            <button
              type="button"
              class={`mailbox ${b.id === props.currentId ? "current" : ""} ${over === b.id ? "drop" : ""}`}
              style={{ paddingLeft: `${0.75 + folderDepth(b, byId)}rem` }}
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
                const ids = draggedIds(e.dataTransfer?.getData(DRAG_TYPE));
                if (ids.length > 0) props.onDropEmails(ids, b.id);
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
      {edit ? (
        <form
          class="folder-form"
          onSubmit={(e) => {
            e.preventDefault();
            const n = name.trim();
            if (!n) return;
            const done = edit.kind === "create" ? props.onCreate(n) : props.onRename(edit.id, n);
            done.then(() => setEdit(null)).catch(() => undefined);
          }}
        >
          <input
            type="text"
            name="folder-name"
            class="folder-name"
            aria-label={t("folder.name")}
            value={name}
            ref={(el) => el?.focus()}
            onInput={(e) => setName(e.currentTarget.value)}
            onKeyDown={(e) => e.key === "Escape" && setEdit(null)}
          />
          <button type="submit" class="primary">
            {edit.kind === "create" ? t("folder.create") : t("folder.save")}
          </button>
          <button type="button" onClick={() => setEdit(null)}>
            {t("folder.cancel")}
          </button>
        </form>
      ) : (
        <div class="folder-tools">
          <button
            type="button"
            onClick={() => {
              setName("");
              setEdit({ kind: "create" });
            }}
          >
            {t("folder.new")}
          </button>
          {own && (
            <>
              <button
                type="button"
                onClick={() => {
                  setName(folderLeaf(own));
                  setEdit({ kind: "rename", id: own.id });
                }}
              >
                {t("folder.rename")}
              </button>
              <button type="button" onClick={() => props.onDelete(own)}>
                {t("folder.delete")}
              </button>
            </>
          )}
        </div>
      )}
    </nav>
  );
}
