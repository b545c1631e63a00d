// The composer: To/Cc/Bcc/Subject/text, attachments uploaded at once with a progress bar
// (XMLHttpRequest upload events), a draft saved a moment after each change, and Send
// (EmailSubmission, then the message moves to Sent). The state and its rules are in
// state/composer.ts; this view renders them.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { Jmap } from "../api/jmap";
import { t } from "../i18n";
import type { Draft } from "../mail/compose";
import type { Identity } from "../mail/settings";
import { type ComposerProblem, Composer as ComposerState, type DraftStatus } from "../state/composer";
import { formatSize } from "./format";
import { useStore } from "./use-store";

function problemText(p: ComposerProblem): string {
  switch (p.kind) {
    case "badAddress":
      return t("compose.badAddress", { a: p.address });
    case "noRecipients":
      return t("compose.noRecipients");
    case "waitUploads":
      return t("compose.waitUploads");
    case "uploadFailed":
      return t("compose.uploadFailed", { name: p.name });
    case "sendFailed":
      return t("compose.sendFailed", { reason: p.reason });
  }
}

function statusText(s: DraftStatus): string {
  switch (s.kind) {
    case "saving":
      return t("compose.saving");
    case "saved":
      return t("compose.saved", {
        time: s.at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }),
      });
    case "saveFailed":
      return t("error.generic", { reason: s.reason });
  }
}

export function Composer(props: {
  jmap: Jmap;
  /** The account's identities; the first is the default. */
  identities: Identity[];
  draftsId: string;
  sentId: string;
  initial: Draft;
  onClose(): void;
  onSent(): void;
}) {
  const c = useMemo(
    () =>
      new ComposerState(props.jmap, {
        identities: props.identities,
        draftsId: props.draftsId,
        sentId: props.sentId,
        initial: props.initial,
      }),
    [],
  );
  useStore(c);
  const s = c.state;
  const [showCc, setShowCc] = useState(Boolean(props.initial.cc || props.initial.bcc));
  const [dragging, setDragging] = useState(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const bodyRef = useRef<HTMLTextAreaElement>(null);
  const toRef = useRef<HTMLInputElement>(null);

  useEffect(() => () => c.dispose(), [c]);
  useEffect(() => {
    if (props.initial.to) {
      bodyRef.current?.focus();
      bodyRef.current?.setSelectionRange(0, 0);
    } else toRef.current?.focus();
  }, []);

  const send = async () => {
    if (await c.send()) props.onSent();
  };
  const discard = async () => {
    await c.discard();
    props.onClose();
  };
  const close = async () => {
    await c.close();
    props.onClose();
  };
  const addFiles = (files: FileList | File[]) => c.addFiles([...files]);

  return (
    <div class="composer-overlay" role="dialog" aria-label={t("compose.title")}>
      <form
        class={`composer ${dragging ? "dragging" : ""}`}
        onSubmit={(e) => {
          e.preventDefault();
          void send();
        }}
        onKeyDown={(e) => {
          if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
            e.preventDefault();
            void send();
          } else if (e.key === "Escape") void close();
        }}
        onDragOver={(e) => {
          if (e.dataTransfer?.types.includes("Files")) {
            e.preventDefault();
            setDragging(true);
          }
        }}
        onDragLeave={() => setDragging(false)}
        onDrop={(e) => {
          if (!e.dataTransfer?.files.length) return;
          e.preventDefault();
          setDragging(false);
          addFiles(e.dataTransfer.files);
        }}
      >
        <header>
          <h2>{s.subject || t("compose.title")}</h2>
          <button type="button" class="icon" aria-label={t("compose.close")} onClick={() => void close()}>
            ×
          </button>
        </header>
        {props.identities.length > 1 && (
          <label class="field">
            <span>{t("compose.from")}</span>
            <select
              name="from"
              value={s.identity.id}
              onChange={(e) => c.chooseIdentity(e.currentTarget.value)}
            >
              {props.identities.map((i) => (
                <option key={i.id} value={i.id}>
                  {i.name ? `${i.name} <${i.email}>` : i.email}
                </option>
              ))}
            </select>
          </label>
        )}
        <label class="field">
          <span>{t("compose.to")}</span>
          <input
            ref={toRef}
            name="to"
            type="text"
            autocomplete="email"
            value={s.to}
            onInput={(e) => c.edit("to", e.currentTarget.value)}
          />
          {!showCc && (
            <button type="button" class="link" onClick={() => setShowCc(true)}>
              {t("compose.showCc")}
            </button>
          )}
        </label>
        {showCc && (
          <>
            <label class="field">
              <span>{t("compose.cc")}</span>
              <input
                name="cc"
                type="text"
                value={s.cc}
                onInput={(e) => c.edit("cc", e.currentTarget.value)}
              />
            </label>
            <label class="field">
              <span>{t("compose.bcc")}</span>
              <input
                name="bcc"
                type="text"
                value={s.bcc}
                onInput={(e) => c.edit("bcc", e.currentTarget.value)}
              />
            </label>
          </>
        )}
        <label class="field">
          <span>{t("compose.subject")}</span>
          <input
            name="subject"
            type="text"
            value={s.subject}
            onInput={(e) => c.edit("subject", e.currentTarget.value)}
          />
        </label>
        <textarea
          ref={bodyRef}
          name="body"
          aria-label={t("compose.body")}
          value={s.body}
          onInput={(e) => c.edit("body", e.currentTarget.value)}
        />
        {s.attachments.length > 0 && (
          <ul class="compose-attachments">
            {s.attachments.map((a) => (
              <li key={a.key} class={a.error ? "failed" : a.blobId ? "done" : "uploading"} data-name={a.name}>
                <span class="name">{a.name}</span> <span class="size">{formatSize(a.size)}</span>
                {!a.blobId && !a.error && <progress max={a.size || 1} value={a.loaded} aria-label={a.name} />}
                {a.error && <span class="error">{t("compose.uploadFailed", { name: a.name })}</span>}
                <button type="button" class="link" onClick={() => c.removeAttachment(a.key)}>
                  {t("compose.remove")}
                </button>
              </li>
            ))}
          </ul>
        )}
        {dragging && <div class="drop-hint">{t("compose.dropHere")}</div>}
        {s.problem && (
          <p class="error" role="alert">
            {problemText(s.problem)}
          </p>
        )}
        <footer>
          <button type="submit" class="primary" disabled={s.sending}>
            {s.sending ? t("compose.sending") : t("compose.send")}
          </button>
          <button type="button" onClick={() => fileInput.current?.click()}>
            📎 {t("compose.attach")}
          </button>
          <input
            ref={fileInput}
            type="file"
            multiple
            hidden
            aria-label={t("compose.attach")}
            onChange={(e) => {
              if (e.currentTarget.files) addFiles(e.currentTarget.files);
              e.currentTarget.value = "";
            }}
          />
          <span class="status" role="status">
            {s.status && statusText(s.status)}
          </span>
          <button type="button" class="discard" onClick={() => void discard()}>
            {t("compose.discard")}
          </button>
        </footer>
      </form>
    </div>
  );
}
