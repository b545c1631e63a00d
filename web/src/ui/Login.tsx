// The login screen. The password goes to /webmail/login once and is not kept by the page. An
// account with two-factor login then gets a second step here: a code from an authenticator app
// or a recovery code, or its passkey (navigator.credentials.get with the server's options).
import { useEffect, useState } from "preact/hooks";
import { type LoginResult, login, loginProvider, loginSecondStep, type WebSession } from "../api/http";
import { t } from "../i18n";
import { LanguagePicker } from "./LanguagePicker";

type Second = { passkey: PublicKeyCredentialRequestOptionsJSON | null };

export function Login(props: { onLogin(s: WebSession): void; onLanguage(): void }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const [second, setSecond] = useState<Second | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // "Sign in with <provider>" when the server has OpenID Connect login (a plain link: the
  // provider's pages and the callback are full-page navigations, the callback sets the cookie).
  const [provider, setProvider] = useState<{ name: string; url: string } | null>(null);
  useEffect(() => {
    loginProvider().then(setProvider, () => setProvider(null));
  }, []);

  const handle = (r: LoginResult) => {
    if (r.ok) {
      setPassword("");
      setCode("");
      props.onLogin(r.session);
      return;
    }
    if (r.error === "second-factor") {
      setPassword("");
      setSecond({ passkey: r.passkey });
    } else if (r.error === "invalid") setError(t(second ? "login.codeInvalid" : "login.invalid"));
    else if (r.error === "throttled") setError(t("login.throttled", { sec: r.retryAfterSec ?? 60 }));
    else if (r.error === "two-factor-setup") setError(t("login.twoFactorSetup"));
    else if (r.error === "expired") {
      setSecond(null);
      setError(t("login.expired"));
    } else setError(t("login.error", { status: r.status }));
  };

  const run = async (e: Event | null, step: () => Promise<LoginResult>) => {
    e?.preventDefault();
    setBusy(true);
    setError(null);
    try {
      handle(await step());
    } catch (err) {
      setError(t("error.generic", { reason: err instanceof Error ? err.message : String(err) }));
    } finally {
      setBusy(false);
    }
  };

  const usePasskey = (options: PublicKeyCredentialRequestOptionsJSON) =>
    run(null, async () => {
      const publicKey = PublicKeyCredential.parseRequestOptionsFromJSON(options);
      const c = (await navigator.credentials.get({ publicKey })) as PublicKeyCredential | null;
      if (!c) throw new Error(t("login.passkeyNone"));
      return loginSecondStep({ credential: c.toJSON() });
    });

  const errorLine = error && (
    <p class="error" role="alert">
      {error}
    </p>
  );

  if (second)
    return (
      <main class="login">
        <form class="login-box" onSubmit={(e) => run(e, () => loginSecondStep({ code }))}>
          <h1>{t("app.title")}</h1>
          <p>{t("login.secondTitle")}</p>
          {second.passkey && (
            <button
              type="button"
              class="primary"
              disabled={busy}
              onClick={() => second.passkey && usePasskey(second.passkey)}
            >
              {t("login.usePasskey")}
            </button>
          )}
          <label>
            {t("login.code")}
            <input
              name="code"
              autocomplete="one-time-code"
              required
              value={code}
              onInput={(e) => setCode(e.currentTarget.value)}
            />
          </label>
          <p class="hint">{t("login.codeHint")}</p>
          {errorLine}
          <button type="submit" class={second.passkey ? "" : "primary"} disabled={busy}>
            {t("login.verify")}
          </button>
        </form>
      </main>
    );

  return (
    <main class="login">
      <form class="login-box" onSubmit={(e) => run(e, () => login(username, password))}>
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
        {errorLine}
        <button type="submit" class="primary" disabled={busy}>
          {t("login.submit")}
        </button>
        {provider && (
          <a class="button" href={provider.url}>
            {t("login.provider", { name: provider.name })}
          </a>
        )}
        <LanguagePicker onChange={props.onLanguage} />
      </form>
    </main>
  );
}
