// The open conversation: every message of the thread, the opened one (and unread ones)
// expanded; the toolbar acts on the opened message / the conversation in this folder.
import { useEffect, useState } from "preact/hooks";
import type { Jmap } from "../api/jmap";
import { t } from "../i18n";
import { formatAddresses } from "../mail/compose";
import type { EmailFull, Mailbox } from "../mail/types";
import { displayName, formatSize, fullDate } from "./format";
import type { Actions } from "./MailApp";
import { MessageBody } from "./MessageBody";
import { MessageBoundary } from "./MessageBoundary";
import { mailboxLabel } from "./Sidebar";

export function Reader(props: {
  jmap: Jmap;
  openId: string | null;
  thread: EmailFull[] | null;
  mailboxes: Mailbox[];
  inTrash: boolean;
  /** In Junk the Spam button reads Not spam (back to the Inbox). */
  inJunk: boolean;
  actions: Actions;
  onBack(): void;
}) {
  const { thread, openId, actions } = props;
  if (!openId) return <p class="reader-empty">{t("reader.none")}</p>;
  if (!thread) return <p class="reader-empty">{t("reader.loading")}</p>;
  const opened = thread.find((e) => e.id === openId) ?? thread[thread.length - 1];
  if (!opened) return <p class="reader-empty">{t("reader.none")}</p>;
  const flagged = Boolean(opened.keywords.$flagged);
  return (
    <article class="reader">
      <div class="toolbar" role="toolbar">
        <button type="button" class="back" onClick={props.onBack}>
          ← {t("app.back")}
        </button>
        <button type="button" onClick={() => actions.reply(opened, false)}>
          {t("action.reply")}
        </button>
        <button type="button" onClick={() => actions.reply(opened, true)}>
          {t("action.replyAll")}
        </button>
        <button type="button" onClick={() => actions.forward(opened)}>
          {t("action.forward")}
        </button>
        <button type="button" aria-pressed={flagged} onClick={actions.toggleFlag}>
          {flagged ? `★ ${t("action.unflag")}` : `☆ ${t("action.flag")}`}
        </button>
        <button type="button" onClick={() => actions.setRead(false)}>
          {t("action.markUnread")}
        </button>
        <button type="button" onClick={actions.archive}>
          {t("action.archive")}
        </button>
        <button type="button" class="spam" onClick={() => actions.markSpam(!props.inJunk)}>
          {props.inJunk ? t("action.notSpam") : t("action.spam")}
        </button>
        <button type="button" onClick={actions.remove}>
          {props.inTrash ? t("action.deleteForever") : t("action.delete")}
        </button>
        {actions.createRule && (
          <button type="button" class="create-rule" onClick={() => actions.createRule?.(opened)}>
            {t("rules.createFromMessage")}
          </button>
        )}
        <select
          aria-label={t("action.moveTo")}
          value=""
          onChange={(e) => {
            const id = e.currentTarget.value;
            e.currentTarget.value = "";
            if (id) actions.move(id);
          }}
        >
          <option value="">{t("action.moveTo")}</option>
          {props.mailboxes
            .filter((b) => !opened.mailboxIds[b.id])
            .map((b) => (
              <option key={b.id} value={b.id}>
                {mailboxLabel(b)}
              </option>
            ))}
        </select>
      </div>
      <h1 class="subject">{opened.subject || t("list.noSubject")}</h1>
      {thread.map((e) => (
        // Keyed by message: a failure stays with its message, the next one starts afresh.
        <MessageBoundary key={e.id}>
          <ThreadMessage jmap={props.jmap} email={e} expanded={e.id === opened.id || !e.keywords.$seen} />
        </MessageBoundary>
      ))}
    </article>
  );
}

function ThreadMessage(props: { jmap: Jmap; email: EmailFull; expanded: boolean }) {
  const e = props.email;
  const [expanded, setExpanded] = useState(props.expanded);
  useEffect(() => setExpanded(props.expanded), [props.expanded]);
  if (!expanded)
    return (
      <button type="button" class="collapsed-message" onClick={() => setExpanded(true)}>
        <span class="from">{displayName(e.from)}</span>
        <span class="preview">{e.preview}</span>
        <time>{fullDate(e.receivedAt)}</time>
      </button>
    );
  return (
    <section class="message" data-id={e.id}>
      <dl class="headers">
        <dt>{t("reader.from")}</dt>
        <dd class="from">{formatAddresses(e.from)}</dd>
        <dt>{t("reader.to")}</dt>
        <dd>{formatAddresses(e.to)}</dd>
        {e.cc?.length ? (
          <>
            <dt>{t("reader.cc")}</dt>
            <dd>{formatAddresses(e.cc)}</dd>
          </>
        ) : null}
        <dt>{t("reader.date")}</dt>
        <dd>
          <time dateTime={e.sentAt ?? e.receivedAt}>{fullDate(e.sentAt ?? e.receivedAt)}</time>
        </dd>
      </dl>
      <MessageBody jmap={props.jmap} email={e} />
      {e.attachments.length > 0 && (
        <div class="attachments">
          <h3>{t("reader.attachments", { n: e.attachments.length })}</h3>
          <ul>
            {e.attachments.map((a, i) => (
              <li key={a.partId ?? i}>
                {a.blobId ? (
                  <a
                    href={props.jmap.downloadUrl(a.blobId, a.name ?? "attachment", a.type)}
                    download={a.name ?? "attachment"}
                    title={t("reader.download")}
                  >
                    {a.name ?? a.type}
                  </a>
                ) : (
                  <span>{a.name ?? a.type}</span>
                )}{" "}
                <span class="size">{formatSize(a.size)}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  );
}
