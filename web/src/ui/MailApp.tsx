// The mail screen: folders, the message list, the reader and the composer, with live updates
// from JMAP push and keyboard shortcuts. Mail operations are in mail/actions.ts.
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { logout, type WebSession } from "../api/http";
import { Jmap, MethodError } from "../api/jmap";
import { type StateChange, subscribePush } from "../api/push";
import { t } from "../i18n";
import * as mail from "../mail/actions";
import { type Draft, emptyDraft, forwardDraft, replyDraft } from "../mail/compose";
import { ListModel } from "../mail/list";
import * as settings from "../mail/settings";
import type { EmailFull, Mailbox } from "../mail/types";
import { Composer } from "./Composer";
import { displayName, fullDate } from "./format";
import { Help } from "./Help";
import { LanguagePicker } from "./LanguagePicker";
import { MessageList } from "./MessageList";
import { Reader } from "./Reader";
import { Settings } from "./Settings";
import { mailboxLabel, Sidebar } from "./Sidebar";
import { useShortcuts } from "./shortcuts";

const TOAST_MS = 4000;
const MAX_TOASTS = 3;

type View = { kind: "mailbox"; id: string } | { kind: "search"; text: string; back: string };

export interface Actions {
  reply(e: EmailFull, all: boolean): void;
  forward(e: EmailFull): void;
  toggleFlag(): void;
  setRead(read: boolean): void;
  archive(): void;
  remove(): void;
  move(mailboxId: string): void;
}

export function MailApp(props: { session: WebSession; lang: number; onLanguage(): void; onLogout(): void }) {
  const [jmap, setJmap] = useState<Jmap | null>(null);
  const [fatal, setFatal] = useState<string | null>(null);
  const [mailboxes, setMailboxes] = useState<Mailbox[]>([]);
  const [identities, setIdentities] = useState<settings.Identity[]>([]);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const [view, setView] = useState<View | null>(null);
  const [cursor, setCursor] = useState(0);
  const [openId, setOpenId] = useState<string | null>(null);
  const [thread, setThread] = useState<EmailFull[] | null>(null);
  const [composer, setComposer] = useState<{ draft: Draft; key: number } | null>(null);
  const [toasts, setToasts] = useState<{ id: number; text: string }[]>([]);
  const [online, setOnline] = useState(true);
  const [menuOpen, setMenuOpen] = useState(false);
  const [help, setHelp] = useState(false);
  const [searchText, setSearchText] = useState("");
  const [tick, setTick] = useState(0);
  const refreshAll = useCallback(() => setTick((n) => n + 1), []);
  const searchRef = useRef<HTMLInputElement>(null);

  /** A short notice; a few can show at once, each goes after TOAST_MS. */
  const say = useCallback((text: string) => {
    const id = Date.now() + Math.random();
    setToasts((list) => [...list.slice(-(MAX_TOASTS - 1)), { id, text }]);
    window.setTimeout(() => setToasts((list) => list.filter((x) => x.id !== id)), TOAST_MS);
  }, []);
  const fail = useCallback(
    (e: unknown) => say(t("error.generic", { reason: e instanceof Error ? e.message : String(e) })),
    [say],
  );

  useEffect(() => {
    Jmap.open(props.session.csrf)
      .then(async (j) => {
        const [boxes, idents] = await Promise.all([mail.loadMailboxes(j), settings.loadIdentities(j)]);
        setMailboxes(boxes);
        setIdentities(idents);
        const inbox = boxes.find((b) => b.role === "inbox") ?? boxes[0];
        if (inbox) setView({ kind: "mailbox", id: inbox.id });
        setJmap(j);
      })
      .catch((e) => setFatal(e instanceof Error ? e.message : String(e)));
  }, [props.session.csrf]);

  const byRole = (role: string) => mailboxes.find((b) => b.role === role);

  const model = useMemo(() => {
    if (!jmap || !view) return null;
    return view.kind === "mailbox"
      ? new ListModel(jmap, { filter: { inMailbox: view.id }, search: false, collapseThreads: true })
      : new ListModel(jmap, { filter: { text: view.text }, search: true, collapseThreads: false });
  }, [jmap, view]);

  // Live updates (RFC 8620 7.3): any Email or Mailbox state change refreshes what is shown.
  useEffect(() => {
    if (!jmap) return;
    let timer = 0;
    const onChange = (c: StateChange) => {
      const types = Object.values(c.changed)[0] ?? {};
      if (types.EmailDelivery) void announceNewMail(jmap);
      window.clearTimeout(timer);
      timer = window.setTimeout(refreshAll, 150);
    };
    const announceNewMail = async (j: Jmap) => {
      try {
        const r = await j.request([
          [
            "Email/query",
            { accountId: j.accountId, sort: [{ property: "receivedAt", isAscending: false }], limit: 1 },
            "q",
          ],
          [
            "Email/get",
            {
              accountId: j.accountId,
              "#ids": { resultOf: "q", name: "Email/query", path: "/ids" },
              properties: ["from", "keywords"],
            },
            "g",
          ],
        ]);
        const e = Jmap.result<{ list: EmailFull[] }>(r, "g").list[0];
        if (e && !e.keywords.$seen) say(t("app.newMail", { from: displayName(e.from) }));
      } catch {
        // only a notice
      }
    };
    const stop = subscribePush(jmap.eventSourceUrl(), {
      onChange,
      onOnline: setOnline,
      onClosed: () => window.setTimeout(refreshAll, 1000),
    });
    return () => {
      stop();
      window.clearTimeout(timer);
    };
  }, [jmap, say]);

  useEffect(() => {
    if (!jmap || tick === 0) return;
    mail
      .loadMailboxes(jmap)
      .then(setMailboxes)
      .catch(() => undefined);
    model?.refresh();
  }, [tick]);

  useEffect(() => {
    if (!jmap || !openId) {
      setThread(null);
      return;
    }
    let live = true;
    mail
      .loadThread(jmap, openId)
      .then((list) => {
        if (!live) return;
        setThread(list);
        const opened = list.find((e) => e.id === openId);
        if (opened && !opened.keywords.$seen) {
          model?.patch(opened.id, { keywords: { ...opened.keywords, $seen: true } });
          mail.setKeyword(jmap, [opened.id], "$seen", true).catch(fail);
        }
      })
      .catch((e) => live && fail(e));
    return () => {
      live = false;
    };
  }, [jmap, openId, tick]);

  useEffect(() => {
    const unread = mailboxes.find((b) => b.role === "inbox")?.unreadEmails ?? 0;
    document.title = unread > 0 ? `(${unread}) ${t("app.title")}` : t("app.title");
  }, [mailboxes, props.lang]);

  const selectView = (v: View) => {
    setView(v);
    setCursor(0);
    setOpenId(null);
    setMenuOpen(false);
  };

  /** The emails an action applies to: the open conversation's in this folder, or the row's. */
  const targets = (): string[] => {
    if (openId && thread && view?.kind === "mailbox") {
      const ids = thread.filter((e) => e.mailboxIds[view.id]).map((e) => e.id);
      return ids.length ? ids : [openId];
    }
    if (openId) return [openId];
    const id = model?.idAt(cursor);
    return id ? [id] : [];
  };
  const current = () =>
    (openId ? thread?.find((e) => e.id === openId) : undefined) ??
    (model ? model.emailAt(cursor) : undefined);

  const afterRemoval = (ids: string[]) => {
    model?.drop(ids);
    if (openId && ids.includes(openId)) setOpenId(null);
  };

  const labels = () => ({
    replyPrefix: t("compose.replyPrefix"),
    forwardPrefix: t("compose.forwardPrefix"),
    wrote: (date: string, from: string) => t("compose.wrote", { date, from }),
    forwarded: t("compose.forwarded"),
    fieldNames: {
      from: t("reader.from"),
      date: t("reader.date"),
      subject: t("compose.subject"),
      to: t("reader.to"),
    },
    formatDate: fullDate,
  });

  /** A new message starts with the default identity's signature (the composer swaps it when
   *  another identity is chosen). */
  const openComposer = (draft: Draft) =>
    setComposer({
      draft: { ...draft, body: settings.withSignature(draft.body, identities[0]?.textSignature ?? "") },
      key: Date.now(),
    });

  const reloadMailboxes = () =>
    mail
      .loadMailboxes(jmap!)
      .then(setMailboxes)
      .catch(() => undefined);

  const folderOps = {
    onCreate: (name: string) =>
      settings.createMailbox(jmap!, name, null).then(reloadMailboxes, (e) => {
        fail(e);
        throw e;
      }),
    onRename: (id: string, name: string) =>
      settings.renameMailbox(jmap!, id, name).then(reloadMailboxes, (e) => {
        fail(e);
        throw e;
      }),
    onDelete: (box: Mailbox) => {
      if (!jmap || !window.confirm(t("folder.confirmDelete", { name: box.name }))) return;
      settings.destroyMailbox(jmap, box.id).then(
        () => {
          const inbox = byRole("inbox");
          if (view?.kind === "mailbox" && view.id === box.id && inbox)
            selectView({ kind: "mailbox", id: inbox.id });
          void reloadMailboxes();
        },
        (e) =>
          e instanceof MethodError && e.type === "mailboxHasEmail" ? say(t("folder.notEmpty")) : fail(e),
      );
    },
  };

  const actions: Actions = {
    reply: (e, all) => openComposer(replyDraft(e, props.session.username, all, labels())),
    forward: (e) => openComposer(forwardDraft(e, labels())),
    toggleFlag: () => {
      const e = current();
      if (!jmap || !e) return;
      const on = !e.keywords.$flagged;
      model?.patch(e.id, { keywords: { ...e.keywords, $flagged: on } });
      if (thread)
        setThread(
          thread.map((x) => (x.id === e.id ? { ...x, keywords: { ...x.keywords, $flagged: on } } : x)),
        );
      mail.setKeyword(jmap, [e.id], "$flagged", on).catch(fail);
    },
    setRead: (read) => {
      const ids = targets();
      if (!jmap || ids.length === 0) return;
      for (const id of ids) {
        const e = model?.emails.get(id);
        if (e) model?.patch(id, { keywords: { ...e.keywords, $seen: read } });
      }
      mail.setKeyword(jmap, ids, "$seen", read).catch(fail);
      if (!read) setOpenId(null);
    },
    archive: () => {
      const box = byRole("archive");
      if (box) actions.move(box.id);
    },
    remove: () => {
      const ids = targets();
      const trash = byRole("trash");
      if (!jmap || ids.length === 0) return;
      if (!trash || (view?.kind === "mailbox" && view.id === trash.id)) {
        if (!window.confirm(t("action.confirmDeleteForever"))) return;
        mail.destroy(jmap, ids).then(() => afterRemoval(ids), fail);
        return;
      }
      actions.move(trash.id);
    },
    move: (mailboxId) => moveIds(targets(), mailboxId),
  };

  const moveIds = (ids: string[], mailboxId: string) => {
    if (!jmap || ids.length === 0) return;
    const box = mailboxes.find((b) => b.id === mailboxId);
    mail.moveTo(jmap, ids, mailboxId).then(() => {
      if (view?.kind === "mailbox" && view.id !== mailboxId) afterRemoval(ids);
      else refreshAll();
      if (box) say(t("moved.to", { name: mailboxLabel(box) }));
    }, fail);
  };

  useShortcuts(!composer && !help && !settingsOpen, {
    next: () => setCursor((c) => Math.min(c + 1, Math.max(0, (model?.total ?? 1) - 1))),
    prev: () => setCursor((c) => Math.max(0, c - 1)),
    open: () => {
      const id = model?.idAt(cursor);
      if (id) setOpenId(id);
    },
    back: () => setOpenId(null),
    compose: () => openComposer(emptyDraft()),
    reply: () => thread && openId && actions.reply(thread.find((e) => e.id === openId)!, false),
    replyAll: () => thread && openId && actions.reply(thread.find((e) => e.id === openId)!, true),
    forward: () => thread && openId && actions.forward(thread.find((e) => e.id === openId)!),
    flag: actions.toggleFlag,
    read: () => actions.setRead(true),
    unread: () => actions.setRead(false),
    archive: actions.archive,
    remove: actions.remove,
    search: () => searchRef.current?.focus(),
    help: () => setHelp(true),
  });

  if (fatal) return <div class="boot error">{t("error.generic", { reason: fatal })}</div>;
  if (!jmap || !view || !model) return <div class="boot">{t("list.loading")}</div>;

  const currentBox = view.kind === "mailbox" ? mailboxes.find((b) => b.id === view.id) : undefined;
  const title = currentBox
    ? mailboxLabel(currentBox)
    : t("search.results", { q: view.kind === "search" ? view.text : "" });

  return (
    <div class={`mail ${openId ? "reading" : ""} ${menuOpen ? "menu-open" : ""}`}>
      <header class="topbar">
        <button
          type="button"
          class="icon menu-button"
          aria-label={t("app.menu")}
          onClick={() => setMenuOpen(!menuOpen)}
        >
          ☰
        </button>
        <span class="brand">{t("app.title")}</span>
        <form
          class="search"
          onSubmit={(e) => {
            e.preventDefault();
            const q = searchText.trim();
            if (q)
              selectView({ kind: "search", text: q, back: view.kind === "mailbox" ? view.id : view.back });
          }}
        >
          <input
            ref={searchRef}
            type="search"
            placeholder={t("search.placeholder")}
            aria-label={t("search.placeholder")}
            value={searchText}
            onInput={(e) => setSearchText(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === "Escape") {
                setSearchText("");
                e.currentTarget.blur();
                if (view.kind === "search") selectView({ kind: "mailbox", id: view.back });
              }
            }}
          />
        </form>
        <button type="button" class="primary compose-button" onClick={() => openComposer(emptyDraft())}>
          {t("app.compose")}
        </button>
        <span class="user">{props.session.username}</span>
        <LanguagePicker onChange={props.onLanguage} />
        <button type="button" onClick={() => setSettingsOpen(true)}>
          {t("app.settings")}
        </button>
        <button
          type="button"
          class="icon"
          aria-label={t("app.shortcuts")}
          title={t("app.shortcuts")}
          onClick={() => setHelp(true)}
        >
          ?
        </button>
        <button
          type="button"
          onClick={() => {
            void logout(props.session.csrf).finally(props.onLogout);
          }}
        >
          {t("app.logout")}
        </button>
      </header>
      {!online && <div class="offline">{t("app.offline")}</div>}
      <Sidebar
        mailboxes={mailboxes}
        currentId={view.kind === "mailbox" ? view.id : null}
        onSelect={(id) => {
          setSearchText("");
          selectView({ kind: "mailbox", id });
        }}
        onDropEmails={moveIds}
        {...folderOps}
      />
      <section class="list-pane" aria-label={title}>
        <div class="pane-head">
          <h2>{title}</h2>
          {view.kind === "search" && (
            <button
              type="button"
              onClick={() => {
                setSearchText("");
                selectView({ kind: "mailbox", id: view.back });
              }}
            >
              {t("search.clear")}
            </button>
          )}
        </div>
        <MessageList
          model={model}
          cursor={cursor}
          openId={openId}
          onCursor={setCursor}
          onOpen={(i, id) => {
            setCursor(i);
            setOpenId(id);
          }}
        />
      </section>
      <section class="reader-pane">
        <Reader
          jmap={jmap}
          openId={openId}
          thread={thread}
          mailboxes={mailboxes}
          inTrash={view.kind === "mailbox" && view.id === byRole("trash")?.id}
          actions={actions}
          onBack={() => setOpenId(null)}
        />
      </section>
      {composer && identities.length > 0 && (
        <Composer
          key={composer.key}
          jmap={jmap}
          identities={identities}
          draftsId={byRole("drafts")?.id ?? ""}
          sentId={byRole("sent")?.id ?? ""}
          initial={composer.draft}
          onClose={() => setComposer(null)}
          onSent={() => {
            setComposer(null);
            say(t("compose.sent"));
          }}
        />
      )}
      {help && <Help onClose={() => setHelp(false)} />}
      {settingsOpen && (
        <Settings
          jmap={jmap}
          identities={identities}
          onIdentitiesChanged={() => {
            settings
              .loadIdentities(jmap)
              .then(setIdentities)
              .catch(() => undefined);
          }}
          onClose={() => setSettingsOpen(false)}
          say={say}
          fail={fail}
        />
      )}
      <output class="toasts">
        {toasts.map((x) => (
          <div key={x.id} class="toast">
            {x.text}
          </div>
        ))}
      </output>
    </div>
  );
}
