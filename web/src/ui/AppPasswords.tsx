// Settings → App passwords: the account's per-device passwords (name, what each may open, when
// made, when and from where last used), each revocable; a form makes a new one with a name and
// scope checkboxes and then shows its secret once, with a copy button; the second button also
// downloads an Apple profile holding it, so a new iPhone, iPad or Mac needs no typing. Shown only
// when the server offers the extension (to a session logged in with the account password).
import { useEffect, useState } from "preact/hooks";
import type { Jmap } from "../api/jmap";
import { t } from "../i18n";
import * as ap from "../mail/app-passwords";
import { fullDate } from "./format";

const scopeLabel = (s: ap.AppPasswordScope) => t(`appPasswords.scope.${s}`);

function Secret(props: { made: ap.CreatedAppPassword; onDone(): void }) {
  const [copied, setCopied] = useState(false);
  return (
    <div class="app-password-secret" role="status">
      <p>{t("appPasswords.shownOnce", { name: props.made.appPassword.name })}</p>
      <p>
        <code class="secret">{props.made.secret}</code>{" "}
        <button
          type="button"
          class="copy"
          onClick={() =>
            void navigator.clipboard?.writeText(props.made.secret).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? t("appPasswords.copied") : t("appPasswords.copy")}
        </button>
      </p>
      <button type="button" class="done" onClick={props.onDone}>
        {t("appPasswords.done")}
      </button>
    </div>
  );
}

type NewRequest = { name: string; scopes: ap.AppPasswordScope[]; appleProfile: boolean };

/** Hands the profile to the browser as a download (the device then offers to install it). */
function download(text: string, fileName: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: ap.MOBILECONFIG_TYPE }));
  const a = document.createElement("a");
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

function NewAppPassword(props: { onCreate(p: NewRequest): Promise<void> }) {
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<ap.AppPasswordScope[]>([...ap.DEFAULT_SCOPES]);
  const [problem, setProblem] = useState<"name" | "scopes" | "profileScopes" | null>(null);
  const submit = (appleProfile: boolean) => {
    const p = ap.formProblem(name, scopes, { appleProfile });
    setProblem(p);
    if (p === null) void props.onCreate({ name, scopes, appleProfile }).then(() => setName(""));
  };
  return (
    <form
      class="app-password-new"
      onSubmit={(e) => {
        e.preventDefault();
        submit(false);
      }}
    >
      <label>
        {t("appPasswords.name")}
        <input
          type="text"
          name="app-password-name"
          maxLength={ap.NAME_MAX}
          placeholder={t("appPasswords.namePlaceholder")}
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
      </label>
      <fieldset>
        <legend>{t("appPasswords.scopes")}</legend>
        {ap.SCOPES.map((s) => (
          <label class="check" key={s}>
            <input
              type="checkbox"
              name={`scope-${s}`}
              checked={scopes.includes(s)}
              onChange={(e) => setScopes(ap.toggleScope(scopes, s, e.currentTarget.checked))}
            />
            {scopeLabel(s)}
          </label>
        ))}
      </fieldset>
      {problem !== null && (
        <p class="error" role="alert">
          {problem === "name"
            ? t("appPasswords.badName", { max: ap.NAME_MAX })
            : problem === "scopes"
              ? t("appPasswords.noScope")
              : t("appPasswords.profileScopes")}
        </p>
      )}
      <button type="submit">{t("appPasswords.create")}</button>{" "}
      <button type="button" class="apple-profile" onClick={() => submit(true)}>
        {t("appPasswords.createProfile")}
      </button>
    </form>
  );
}

export function AppPasswords(props: { jmap: Jmap; onSaved(): void; onError(e: unknown): void }) {
  const [list, setList] = useState<ap.AppPasswordInfo[] | null>(null);
  const [made, setMade] = useState<ap.CreatedAppPassword | null>(null);
  const reload = () => ap.loadAppPasswords(props.jmap).then(setList);
  useEffect(() => {
    reload().catch(props.onError);
  }, []);
  if (!list) return <p>{t("list.loading")}</p>;
  return (
    <section class="settings-form app-passwords">
      <h3>{t("appPasswords.title")}</h3>
      <p class="hint">{t("appPasswords.hint")}</p>
      {list.length === 0 ? (
        <p class="none">{t("appPasswords.none")}</p>
      ) : (
        <ul class="app-password-list">
          {list.map((p) => (
            <li key={p.id}>
              <span class="name">{p.name}</span>{" "}
              <span class="scopes">{p.scopes.map(scopeLabel).join(", ")}</span>{" "}
              <span class="created">{t("appPasswords.created", { date: fullDate(p.createdAt) })}</span>{" "}
              <span class="used">
                {p.lastUsedAt
                  ? t("appPasswords.lastUsed", { date: fullDate(p.lastUsedAt), ip: p.lastUsedIp ?? "?" })
                  : t("appPasswords.neverUsed")}
              </span>{" "}
              <button
                type="button"
                class="revoke"
                aria-label={t("appPasswords.revokeNamed", { name: p.name })}
                onClick={() => {
                  if (!confirm(t("appPasswords.confirmRevoke", { name: p.name }))) return;
                  ap.revokeAppPassword(props.jmap, p.id)
                    .then(reload)
                    .then(props.onSaved)
                    .catch(props.onError);
                }}
              >
                {t("appPasswords.revoke")}
              </button>
            </li>
          ))}
        </ul>
      )}
      {made ? (
        <Secret made={made} onDone={() => setMade(null)} />
      ) : (
        <NewAppPassword
          onCreate={(p) =>
            ap
              .createAppPassword(props.jmap, p)
              .then((m) => {
                setMade(m);
                if (m.appleProfile !== undefined)
                  download(m.appleProfile, ap.profileFileName(m.appPassword.name));
                return reload();
              })
              .catch(props.onError)
          }
        />
      )}
    </section>
  );
}
