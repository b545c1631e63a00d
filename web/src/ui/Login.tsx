// The login screen. The password goes to /webmail/login once and is not kept by the page.
import { useState } from "preact/hooks";
import { login, type WebSession } from "../api/http";
import { t } from "../i18n";
import { LanguagePicker } from "./LanguagePicker";

export function Login(props: { onLogin(s: WebSession): void; onLanguage(): void }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const r = await login(username, password);
      if (r.ok) {
        setPassword("");
        props.onLogin(r.session);
        return;
      }
      if (r.error === "invalid") setError(t("login.invalid"));
      else if (r.error === "throttled") setError(t("login.throttled", { sec: r.retryAfterSec ?? 60 }));
      else setError(t("login.error", { status: r.status }));
    } catch (err) {
      setError(t("error.generic", { reason: err instanceof Error ? err.message : String(err) }));
    } finally {
      setBusy(false);
    }
  };

  return (
    <main class="login">
      <form class="login-box" onSubmit={submit}>
        <h1>{t("app.title")}</h1>
        <p>{t("login.title")}</p>
        <label>
          {t("login.email")}
          <input
            type="email"
            name="username"
            autocomplete="username"
            required
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
          />
        </label>
        <label>
          {t("login.password")}
          <input
            type="password"
            name="password"
            autocomplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        {error && (
          <p class="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {t("login.submit")}
        </button>
        <LanguagePicker onChange={props.onLanguage} />
      </form>
    </main>
  );
}
