// The message list, virtualised: rows have a fixed height, only the rows in view (plus a few
// either side) exist in the DOM, and only their pages are fetched (mail/list.ts). A mailbox of
// 100,000 messages is a tall empty spacer with about 30 rows in it.
import { useEffect, useLayoutEffect, useRef, useState } from "preact/hooks";
import { t } from "../i18n";
import { snippetParts } from "../mail/snippet";
import type { EmailSummary } from "../mail/types";
import type { ListModel, Snippet } from "../state/message-list";
import { displayName, shortDate } from "./format";
import { listWindow, scrollToRow } from "./list-window";
import { DRAG_TYPE } from "./Sidebar";

export const ROW_HEIGHT = 64;
const OVERSCAN = 8;

export function MessageList(props: {
  model: ListModel;
  cursor: number;
  openId: string | null;
  onCursor(i: number): void;
  onOpen(i: number, id: string): void;
}) {
  const { model } = props;
  const box = useRef<HTMLDivElement>(null);
  const [, setVersion] = useState(0);
  const redraw = () => setVersion((n) => n + 1);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);

  useEffect(() => model.subscribe(redraw), [model]);
  useEffect(() => {
    if (box.current) box.current.scrollTop = 0;
    setScrollTop(0);
  }, [model]);
  useLayoutEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight || 600));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const total = model.total;
  const { first, last } = listWindow({ scrollTop, height, total, rowHeight: ROW_HEIGHT, overscan: OVERSCAN });

  useEffect(() => {
    model.ensure(first, Math.max(first, last));
  }, [model, first, last]);

  // Keep the keyboard cursor in view.
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const to = scrollToRow(props.cursor, {
      scrollTop: el.scrollTop,
      height: el.clientHeight,
      rowHeight: ROW_HEIGHT,
    });
    if (to !== null) el.scrollTop = to;
  }, [props.cursor]);

  const rows = [];
  for (let i = first; i <= last; i++) {
    const e = model.emailAt(i);
    rows.push(
      <Row
        key={e?.id ?? `i${i}`}
        index={i}
        email={e}
        snippet={e ? model.snippets.get(e.id) : undefined}
        threadSize={e ? (model.threadSizes.get(e.threadId) ?? 1) : 1}
        cursor={i === props.cursor}
        open={e !== undefined && e.id === props.openId}
        onOpen={props.onOpen}
      />,
    );
  }

  return (
    <div
      class="message-list"
      ref={box}
      role="listbox"
      aria-label={t("list.count", { n: total ?? 0 })}
      tabIndex={0}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
    >
      {total === 0 && (
        <p class="empty">{model.error ? t("error.generic", { reason: model.error }) : t("list.empty")}</p>
      )}
      {total === null && <p class="empty">{t("list.loading")}</p>}
      <div class="spacer" style={{ height: `${(total ?? 0) * ROW_HEIGHT}px` }}>
        {rows}
      </div>
    </div>
  );
}

/** The snippet's HTML has only <mark> (RFC 8621 5.1); render it without innerHTML. */
const parse = (html: string) => new DOMParser().parseFromString(html, "text/html");

function Highlighted(props: { html: string }) {
  return (
    <>{snippetParts(props.html, parse).map((p, i) => (p.mark ? <mark key={i}>{p.text}</mark> : p.text))}</>
  );
}

function Row(props: {
  index: number;
  email: EmailSummary | undefined;
  snippet: Snippet | undefined;
  threadSize: number;
  cursor: boolean;
  open: boolean;
  onOpen(i: number, id: string): void;
}) {
  const e = props.email;
  const style = { transform: `translateY(${props.index * ROW_HEIGHT}px)`, height: `${ROW_HEIGHT}px` };
  if (!e) return <div class="row placeholder" style={style} aria-hidden="true" />;
  const unread = !e.keywords.$seen;
  const flagged = Boolean(e.keywords.$flagged);
  const cls = ["row", unread ? "unread" : "", props.cursor ? "cursor" : "", props.open ? "open" : ""].join(
    " ",
  );
  return (
    <div
      class={cls}
      style={style}
      role="option"
      aria-selected={props.open}
      data-id={e.id}
      draggable
      onDragStart={(ev) => {
        ev.dataTransfer?.setData(DRAG_TYPE, JSON.stringify([e.id]));
        if (ev.dataTransfer) ev.dataTransfer.effectAllowed = "move";
      }}
      tabIndex={-1}
      onKeyDown={(ev) => {
        if (ev.key === "Enter") props.onOpen(props.index, e.id);
      }}
      onClick={() => props.onOpen(props.index, e.id)}
    >
      <div class="line1">
        <span class="from">{displayName(e.from) || "—"}</span>
        {props.threadSize > 1 && (
          <span class="thread-count" title={t("list.thread", { n: props.threadSize })}>
            {props.threadSize}
          </span>
        )}
        {e.hasAttachment && (
          <span class="clip" role="img" title={t("list.attachment")} aria-label={t("list.attachment")}>
            📎
          </span>
        )}
        {flagged && (
          <span class="flag" role="img" aria-label={t("action.flag")}>
            ★
          </span>
        )}
        <time class="date" dateTime={e.receivedAt}>
          {shortDate(e.receivedAt)}
        </time>
      </div>
      <div class="subject">
        {props.snippet?.subject ? (
          <Highlighted html={props.snippet.subject} />
        ) : (
          e.subject || t("list.noSubject")
        )}
      </div>
      <div class="preview">
        {props.snippet?.preview ? <Highlighted html={props.snippet.preview} /> : e.preview}
      </div>
    </div>
  );
}
