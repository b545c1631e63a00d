// A message body: the HTML version in a sandboxed iframe (no allow-scripts; see
// mail/sanitize.ts for the other two layers), or the plain-text version as text. Remote images
// stay blocked until the reader asks for them, for this message only.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { Jmap } from "../api/jmap";
import { t } from "../i18n";
import { htmlOf, partsByCid, textOf } from "../mail/body";
import { frameDocument, sanitizeHtml } from "../mail/sanitize";
import type { EmailFull } from "../mail/types";

export function MessageBody(props: { jmap: Jmap; email: EmailFull }) {
  const e = props.email;
  const html = useMemo(() => htmlOf(e), [e]);
  const [mode, setMode] = useState<"html" | "text">(html !== null ? "html" : "text");
  const [allowRemote, setAllowRemote] = useState(false);
  const frame = useRef<HTMLIFrameElement>(null);

  const sanitized = useMemo(() => {
    if (html === null) return null;
    const byCid = partsByCid(e);
    return sanitizeHtml(html, {
      allowRemote,
      cidUrl: (cid) => {
        const a = byCid.get(cid);
        return a?.blobId ? props.jmap.downloadUrl(a.blobId, a.name ?? "image", a.type) : null;
      },
    });
  }, [html, allowRemote, e]);

  // Fit the frame to its content (allow-same-origin lets the page read it; no script runs in it).
  useEffect(() => {
    const f = frame.current;
    if (!f) return;
    let ro: ResizeObserver | null = null;
    const fit = () => {
      const doc = f.contentDocument;
      if (!doc?.documentElement) return;
      f.style.height = `${Math.min(doc.documentElement.scrollHeight + 4, 200_000)}px`;
      if (!ro && doc.body) {
        ro = new ResizeObserver(() => {
          f.style.height = `${Math.min(doc.documentElement.scrollHeight + 4, 200_000)}px`;
        });
        ro.observe(doc.body);
      }
    };
    f.addEventListener("load", fit);
    return () => {
      f.removeEventListener("load", fit);
      ro?.disconnect();
    };
  }, [sanitized, mode]);

  return (
    <div class="body">
      {html !== null && (
        <div class="body-modes">
          <button type="button" aria-pressed={mode === "html"} onClick={() => setMode("html")}>
            {t("reader.showHtml")}
          </button>
          <button type="button" aria-pressed={mode === "text"} onClick={() => setMode("text")}>
            {t("reader.showText")}
          </button>
        </div>
      )}
      {mode === "html" && sanitized && sanitized.blockedRemote > 0 && !allowRemote && (
        <div class="remote-blocked">
          {t("reader.remoteBlocked", { n: sanitized.blockedRemote })}{" "}
          <button type="button" onClick={() => setAllowRemote(true)}>
            {t("reader.loadRemote")}
          </button>
        </div>
      )}
      {mode === "html" && sanitized ? (
        <iframe
          ref={frame}
          class="html-body"
          title={t("reader.frameTitle")}
          sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox"
          referrerpolicy="no-referrer"
          srcdoc={frameDocument(sanitized.html, allowRemote)}
        />
      ) : (
        <div class="text-body">{textOf(e)}</div>
      )}
    </div>
  );
}
