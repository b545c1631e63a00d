// Top level: find out whether the cookie still holds a session, then show the login or the mail.
import { useEffect, useState } from "preact/hooks";
import { currentSession, SESSION_LOST_EVENT, type WebSession } from "../api/http";
import { t } from "../i18n";
import { Login } from "./Login";
import { MailApp } from "./MailApp";

export function App() {
  const [session, setSession] = useState<WebSession | null | undefined>(undefined);
  const [lang, setLang] = useState(0);
  const bump = () => setLang((n) => n + 1);

  useEffect(() => {
    currentSession()
      .then(setSession)
      .catch(() => setSession(null));
    const lost = () => setSession(null);
    window.addEventListener(SESSION_LOST_EVENT, lost);
    return () => window.removeEventListener(SESSION_LOST_EVENT, lost);
  }, []);

  useEffect(() => {
    document.title = t("app.title");
  }, [lang]);

  if (session === undefined) return <div class="boot">{t("list.loading")}</div>;
  if (session === null) return <Login onLogin={setSession} onLanguage={bump} />;
  return (
    <MailApp
      key={session.csrf}
      session={session}
      lang={lang}
      onLanguage={bump}
      onLogout={() => setSession(null)}
    />
  );
}
