// The mail screen: folders, the message list, the reader and the composer, with live updates
// from JMAP push and keyboard shortcuts. The state and every operation on mail are in
// state/mail-screen.ts; this view renders them and turns clicks and keys into its actions.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import { logout, type WebSession } from "../api/http";
import { CAP_SIEVE, Jmap } from "../api/jmap";
import { subscribePush } from "../api/push";
import { t } from "../i18n";
import { type Draft, emptyDraft, forwardDraft, replyDraft } from "../mail/compose";
import * as settings from "../mail/settings";
import type { EmailFull, Mailbox } from "../mail/types";
import { ruleFromMessage } from "../rules/from-message";
import type { Rule } from "../rules/model";
import { MailScreen } from "../state/mail-screen";
import { Composer } from "./Composer";
import { fullDate } from "./format";
import { Help } from "./Help";
import { LanguagePicker } from "./LanguagePicker";
import { MessageList } from "./MessageList";
import { noticeText } from "./notice-text";
import { Reader } from "./Reader";
import { Settings } from "./Settings";
import { mailboxLabel, Sidebar } from "./Sidebar";
import { useShortcuts } from "./shortcuts";
import { useStore } from "./use-store";

export interface Actions {
  reply(e: EmailFull, all: boolean): void;
  forward(e: EmailFull): void;
  toggleFlag(): void;
  setRead(read: boolean): void;
  archive(): void;
  remove(): void;
  /** Spam: to Junk with $junk; false: Not spam, to the Inbox with $notjunk. */
  markSpam(spam: boolean): void;
  move(mailboxId: string): void;
  /** "Create rule from this message": Settings → Rules with a rule pre-filled from it; absent
   *  when the server offers no JMAP Sieve. */
  createRule?(e: EmailFull): void;
}

/** The words Reply and Forward put in a draft, in the current language. */
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

export function MailApp(props: { session: WebSession; lang: number; onLanguage(): void; onLogout(): void }) {
  const [jmap, setJmap] = useState<Jmap | null>(null);
  const [fatal, setFatal] = useState<string | null>(null);

  useEffect(() => {
    Jmap.open(props.session.csrf)
      .then(setJmap)
      .catch((e) => setFatal(e instanceof Error ? e.message : String(e)));
  }, [props.session.csrf]);

  if (fatal) return <div class="boot error">{t("error.generic", { reason: fatal })}</div>;
  if (!jmap) return <div class="boot">{t("list.loading")}</div>;
  return <MailScreenView jmap={jmap} {...props} />;
}

function MailScreenView(props: {
  jmap: Jmap;
  session: WebSession;
  lang: number;
  onLanguage(): void;
  onLogout(): void;
}) {
  const { jmap } = props;
  const screen = useMemo(() => new MailScreen(jmap), [jmap]);
  useStore(screen);
  useStore(screen.mailboxes);
  useStore(screen.selection);
  useStore(screen.notices);
  const [settingsOpen, setSettingsOpen] = useState(false);
  /** The rule "Create rule from this message" opens Settings with. */
  const [newRule, setNewRule] = useState<Rule | null>(null);
  const [composer, setComposer] = useState<{ draft: Draft; key: number } | null>(null);
  const [menuOpen, setMenuOpen] = useState(false);
  const [help, setHelp] = useState(false);
  const [searchText, setSearchText] = useState("");
  const searchRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    void screen.start();
    // Live updates (RFC 8620 7.3): any Email or Mailbox state change refreshes what is shown.
    const stop = subscribePush(jmap.eventSourceUrl(), {
      onChange: (c) => screen.onPush(c),
      onOnline: (online) => screen.onOnline(online),
      onClosed: () => screen.onPushClosed(),
    });
    return () => {
      stop();
      screen.stop();
    };
  }, [screen]);

  const { fatal, ready, identities, online } = screen.state;
  const mailboxes = screen.mailboxes.state.mailboxes;
  const { view, cursor, openId, thread } = screen.selection.state;
  const model = screen.list;
  const unread = screen.mailboxes.unreadInInbox();

  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) ${t("app.title")}` : t("app.title");
  }, [unread, props.lang]);

  const say = (text: string) => screen.notices.say({ kind: "text", text });
  const fail = (e: unknown) => screen.notices.fail(e);
  const byRole = (role: string) => screen.mailboxes.byRole(role);

  const selectView = (go: () => void) => {
    go();
    setMenuOpen(false);
  };

  /** A new message starts with the default identity's signature (the composer swaps it when
   *  another identity is chosen). */
  const openComposer = (draft: Draft) =>
    setComposer({
      draft: { ...draft, body: settings.withSignature(draft.body, identities[0]?.textSignature ?? "") },
      key: Date.now(),
    });

  const folderOps = {
    onCreate: (name: string) =>
      screen.mailboxes.create(name).catch((e) => {
        fail(e);
        throw e;
      }),
    onRename: (id: string, name: string) =>
      screen.mailboxes.rename(id, name).catch((e) => {
        fail(e);
        throw e;
      }),
    onDelete: (box: Mailbox) => {
      if (!window.confirm(t("folder.confirmDelete", { name: box.name }))) return;
      void screen.deleteFolder(box);
    },
  };

  const actions: Actions = {
    reply: (e, all) => openComposer(replyDraft(e, props.session.username, all, labels())),
    forward: (e) => openComposer(forwardDraft(e, labels())),
    toggleFlag: () => void screen.toggleFlag(),
    setRead: (read) => void screen.setRead(read),
    archive: () => void screen.archive(),
    remove: () => void screen.remove(() => window.confirm(t("action.confirmDeleteForever"))),
    markSpam: (spam) => void screen.markSpam(spam),
    move: (mailboxId) => void screen.move(mailboxId),
    ...(jmap.has(CAP_SIEVE)
      ? {
          createRule: (e: EmailFull) => {
            setNewRule(ruleFromMessage(e));
            setSettingsOpen(true);
          },
        }
      : {}),
  };

  const opened = () => (thread && openId ? thread.find((e) => e.id === openId) : undefined);
  useShortcuts(!composer && !help && !settingsOpen, {
    next: () => screen.selection.next(model?.total ?? null),
    prev: () => screen.selection.prev(),
    open: () => screen.openAtCursor(),
    back: () => screen.close(),
    compose: () => openComposer(emptyDraft()),
    reply: () => {
      const e = opened();
      if (e) actions.reply(e, false);
    },
    replyAll: () => {
      const e = opened();
      if (e) actions.reply(e, true);
    },
    forward: () => {
      const e = opened();
      if (e) actions.forward(e);
    },
    flag: actions.toggleFlag,
    read: () => actions.setRead(true),
    unread: () => actions.setRead(false),
    archive: actions.archive,
    remove: actions.remove,
    spam: () => void screen.toggleSpam(),
    search: () => searchRef.current?.focus(),
    help: () => setHelp(true),
  });

  if (fatal) return <div class="boot error">{t("error.generic", { reason: fatal })}</div>;
  if (!ready || !view || !model) return <div class="boot">{t("list.loading")}</div>;

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
            selectView(() => screen.search(searchText));
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
                if (view.kind === "search") selectView(() => screen.endSearch());
              }
            }}
          />
        </form>
        <button type="button" class="primary compose-button" onClick={() => openComposer(emptyDraft())}>
          {t("app.compose")}
        </button>
        <span class="user">{props.session.username}</span>
        <LanguagePicker onChange={props.onLanguage} />
        <button
          type="button"
          onClick={() => {
            setNewRule(null);
            setSettingsOpen(true);
          }}
        >
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
          selectView(() => screen.showMailbox(id));
        }}
        onDropEmails={(ids, mailboxId) => void screen.moveIds(ids, mailboxId)}
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
                selectView(() => screen.endSearch());
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
          onCursor={(i) => screen.selection.setCursor(i)}
          onOpen={(i, id) => screen.open(id, i)}
        />
      </section>
      <section class="reader-pane">
        <Reader
          jmap={jmap}
          openId={openId}
          thread={thread}
          mailboxes={mailboxes}
          inTrash={view.kind === "mailbox" && view.id === byRole("trash")?.id}
          inJunk={screen.inJunk()}
          actions={actions}
          onBack={() => screen.close()}
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
            screen.notices.say({ kind: "sent" });
          }}
        />
      )}
      {help && <Help onClose={() => setHelp(false)} />}
      {settingsOpen && (
        <Settings
          jmap={jmap}
          identities={identities}
          mailboxes={mailboxes}
          newRule={newRule}
          onIdentitiesChanged={() => void screen.reloadIdentities()}
          onClose={() => setSettingsOpen(false)}
          say={say}
          fail={fail}
        />
      )}
      <output class="toasts">
        {screen.notices.state.list.map((x) => (
          <div key={x.id} class="toast">
            {noticeText(x.notice)}
          </div>
        ))}
      </output>
    </div>
  );
}
