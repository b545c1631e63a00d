// The composer: To/Cc/Bcc/Subject/text, attachments uploaded at once with a progress bar
// (XMLHttpRequest upload events), a draft saved a moment after each change, and Send
// (EmailSubmission, then the message moves to Sent).
import { useEffect, useRef, useState } from "preact/hooks";
import type { Jmap } from "../api/jmap";
import { t } from "../i18n";
import * as mail from "../mail/actions";
import { type Draft, parseAddresses } from "../mail/compose";
import { type Identity, swapSignature } from "../mail/settings";
import { formatSize } from "./format";

/** Quiet time after the last keystroke before the draft is saved. */
const DRAFT_DELAY_MS = 1500;

interface Att {
  key: number;
  name: string;
  type: string;
  size: number;
  loaded: number;
  blobId: string | null;
  error: boolean;
  abort?: () => void;
}

let nextKey = 1;

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
  const init = props.initial;
  const [to, setTo] = useState(init.to);
  const [cc, setCc] = useState(init.cc);
  const [bcc, setBcc] = useState(init.bcc);
  const [showCc, setShowCc] = useState(Boolean(init.cc || init.bcc));
  const [subject, setSubject] = useState(init.subject);
  const [body, setBody] = useState(init.body);
  const [identity, setIdentity] = useState<Identity>(props.identities[0]!);
  const [atts, setAtts] = useState<Att[]>(() =>
    init.forwardParts.map((p) => ({
      key: nextKey++,
      name: p.name ?? "attachment",
      type: p.type,
      size: p.size,
      loaded: p.size,
      blobId: p.blobId,
      error: false,
    })),
  );
  const [status, setStatus] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);
  const [dragging, setDragging] = useState(false);
  const [changes, setChanges] = useState(0);
  const draftId = useRef<string | null>(null);
  const saving = useRef<Promise<void> | null>(null);
  const closed = useRef(false);
  const sendingNow = useRef(false);
  const fileInput = useRef<HTMLInputElement>(null);
  const bodyRef = useRef<HTMLTextAreaElement>(null);
  const toRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (init.to) {
      bodyRef.current?.focus();
      bodyRef.current?.setSelectionRange(0, 0);
    } else toRef.current?.focus();
  }, []);

  const edited =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      setChanges((n) => n + 1);
    };

  const outgoing = (): mail.OutgoingEmail => ({
    from: { name: identity.name || null, email: identity.email },
    to: parseAddresses(to).list,
    cc: parseAddresses(cc).list,
    bcc: parseAddresses(bcc).list,
    subject,
    body,
    attachments: atts
      .filter((a) => a.blobId)
      .map((a) => ({ blobId: a.blobId!, type: a.type, name: a.name, size: a.size })),
    inReplyTo: init.inReplyTo,
    references: init.references,
  });

  const saveDraft = async () => {
    if (!props.draftsId || sendingNow.current || closed.current) return;
    await saving.current;
    if (sendingNow.current || closed.current) return;
    setStatus(t("compose.saving"));
    const run = mail
      .saveDraft(props.jmap, outgoing(), props.draftsId, draftId.current)
      .then((id) => {
        draftId.current = id;
        setStatus(
          t("compose.saved", {
            time: new Date().toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }),
          }),
        );
      })
      .catch((e) => setStatus(t("error.generic", { reason: e instanceof Error ? e.message : String(e) })));
    saving.current = run;
    await run;
  };

  useEffect(() => {
    if (changes === 0) return;
    const timer = window.setTimeout(() => void saveDraft(), DRAFT_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [changes]);

  const addFiles = (files: FileList | File[]) => {
    for (const file of [...files]) {
      const key = nextKey++;
      const att: Att = {
        key,
        name: file.name,
        type: file.type || "application/octet-stream",
        size: file.size,
        loaded: 0,
        blobId: null,
        error: false,
      };
      const patch = (p: Partial<Att>) =>
        setAtts((list) => list.map((a) => (a.key === key ? { ...a, ...p } : a)));
      if (file.size > props.jmap.maxSizeUpload) {
        setAtts((list) => [...list, { ...att, error: true }]);
        continue;
      }
      const up = props.jmap.upload(file, (loaded) => patch({ loaded }));
      att.abort = up.abort;
      setAtts((list) => [...list, att]);
      up.done.then(
        (r) => {
          patch({ blobId: r.blobId, loaded: file.size });
          setChanges((n) => n + 1);
        },
        () => patch({ error: true }),
      );
    }
  };

  const removeAtt = (key: number) => {
    setAtts((list) => {
      list.find((a) => a.key === key)?.abort?.();
      return list.filter((a) => a.key !== key);
    });
    setChanges((n) => n + 1);
  };

  const send = async () => {
    setError(null);
    const parsed = [parseAddresses(to), parseAddresses(cc), parseAddresses(bcc)];
    const bad = parsed.flatMap((p) => p.bad)[0];
    if (bad) return setError(t("compose.badAddress", { a: bad }));
    if (parsed.every((p) => p.list.length === 0)) return setError(t("compose.noRecipients"));
    if (atts.some((a) => !a.blobId && !a.error)) return setError(t("compose.waitUploads"));
    const failed = atts.find((a) => a.error);
    if (failed) return setError(t("compose.uploadFailed", { name: failed.name }));
    setSending(true);
    sendingNow.current = true;
    try {
      await saving.current;
      await mail.sendEmail(props.jmap, outgoing(), {
        identityId: identity.id,
        draftsId: props.draftsId,
        sentId: props.sentId,
        previousDraftId: draftId.current,
        answeredId: init.replyToId,
      });
      closed.current = true;
      props.onSent();
    } catch (e) {
      setError(t("compose.sendFailed", { reason: e instanceof Error ? e.message : String(e) }));
    } finally {
      sendingNow.current = false;
      setSending(false);
    }
  };

  const discard = async () => {
    closed.current = true;
    await saving.current;
    for (const a of atts) a.abort?.();
    if (draftId.current) await mail.destroy(props.jmap, [draftId.current]).catch(() => undefined);
    props.onClose();
  };

  const close = async () => {
    if (changes > 0 && !draftId.current) await saveDraft();
    closed.current = true;
    props.onClose();
  };

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
          <h2>{subject || t("compose.title")}</h2>
          <button type="button" class="icon" aria-label={t("compose.close")} onClick={() => void close()}>
            ×
          </button>
        </header>
        {props.identities.length > 1 && (
          <label class="field">
            <span>{t("compose.from")}</span>
            <select
              name="from"
              value={identity.id}
              onChange={(e) => {
                const next = props.identities.find((i) => i.id === e.currentTarget.value);
                if (!next) return;
                edited(setBody)(swapSignature(body, identity.textSignature, next.textSignature));
                setIdentity(next);
              }}
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
            value={to}
            onInput={(e) => edited(setTo)(e.currentTarget.value)}
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
              <input name="cc" type="text" value={cc} onInput={(e) => edited(setCc)(e.currentTarget.value)} />
            </label>
            <label class="field">
              <span>{t("compose.bcc")}</span>
              <input
                name="bcc"
                type="text"
                value={bcc}
                onInput={(e) => edited(setBcc)(e.currentTarget.value)}
              />
            </label>
          </>
        )}
        <label class="field">
          <span>{t("compose.subject")}</span>
          <input
            name="subject"
            type="text"
            value={subject}
            onInput={(e) => edited(setSubject)(e.currentTarget.value)}
          />
        </label>
        <textarea
          ref={bodyRef}
          name="body"
          aria-label={t("compose.body")}
          value={body}
          onInput={(e) => edited(setBody)(e.currentTarget.value)}
        />
        {atts.length > 0 && (
          <ul class="compose-attachments">
            {atts.map((a) => (
              <li key={a.key} class={a.error ? "failed" : a.blobId ? "done" : "uploading"} data-name={a.name}>
                <span class="name">{a.name}</span> <span class="size">{formatSize(a.size)}</span>
                {!a.blobId && !a.error && <progress max={a.size || 1} value={a.loaded} aria-label={a.name} />}
                {a.error && <span class="error">{t("compose.uploadFailed", { name: a.name })}</span>}
                <button type="button" class="link" onClick={() => removeAtt(a.key)}>
                  {t("compose.remove")}
                </button>
              </li>
            ))}
          </ul>
        )}
        {dragging && <div class="drop-hint">{t("compose.dropHere")}</div>}
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <footer>
          <button type="submit" class="primary" disabled={sending}>
            {sending ? t("compose.sending") : t("compose.send")}
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
            {status}
          </span>
          <button type="button" class="discard" onClick={() => void discard()}>
            {t("compose.discard")}
          </button>
        </footer>
      </form>
    </div>
  );
}
