// Settings: the vacation response (on/off, first and last day, subject, text), the mail rules
// (ui/Rules.tsx), the spam lists, app passwords and each identity's name and text signature. Saved over JMAP (mail/settings.ts); the composer uses
// the identities as they are after a save.
import { useEffect, useState } from "preact/hooks";
import { CAP_APP_PASSWORDS, CAP_SIEVE, CAP_SPAM, type Jmap } from "../api/jmap";
import { t } from "../i18n";
import * as settings from "../mail/settings";
import type { Mailbox } from "../mail/types";
import type { Rule } from "../rules/model";
import { AppPasswords } from "./AppPasswords";
import { Rules } from "./Rules";
import { SpamSettings } from "./SpamSettings";

function VacationForm(props: { jmap: Jmap; onSaved(): void; onError(e: unknown): void }) {
  const [v, setV] = useState<settings.Vacation | null>(null);
  const [from, setFrom] = useState("");
  const [until, setUntil] = useState("");
  useEffect(() => {
    settings
      .loadVacation(props.jmap)
      .then((x) => {
        setV(x);
        setFrom(settings.utcToDateInput(x.fromDate));
        setUntil(settings.utcToDateInput(x.toDate, true));
      })
      .catch(props.onError);
  }, []);
  if (!v) return <p>{t("list.loading")}</p>;
  return (
    <form
      class="settings-form vacation"
      onSubmit={(e) => {
        e.preventDefault();
        settings
          .saveVacation(props.jmap, {
            ...v,
            fromDate: settings.dateInputToUtc(from),
            toDate: settings.dateInputToUtc(until, true),
          })
          .then(props.onSaved, props.onError);
      }}
    >
      <h3>{t("settings.vacation")}</h3>
      <label class="check">
        <input
          type="checkbox"
          name="vacation-enabled"
          checked={v.isEnabled}
          onChange={(e) => setV({ ...v, isEnabled: e.currentTarget.checked })}
        />
        {t("settings.vacationOn")}
      </label>
      <label>
        {t("settings.vacationFrom")}
        <input
          type="date"
          name="vacation-from"
          value={from}
          onInput={(e) => setFrom(e.currentTarget.value)}
        />
      </label>
      <label>
        {t("settings.vacationUntil")}
        <input
          type="date"
          name="vacation-until"
          value={until}
          onInput={(e) => setUntil(e.currentTarget.value)}
        />
      </label>
      <label>
        {t("compose.subject")}
        <input
          type="text"
          name="vacation-subject"
          placeholder={t("settings.vacationSubjectHint")}
          value={v.subject ?? ""}
          onInput={(e) => setV({ ...v, subject: e.currentTarget.value || null })}
        />
      </label>
      <label>
        {t("settings.vacationText")}
        <textarea
          name="vacation-text"
          rows={5}
          value={v.textBody ?? ""}
          onInput={(e) => setV({ ...v, textBody: e.currentTarget.value || null })}
        />
      </label>
      <button type="submit" class="primary">
        {t("settings.saveVacation")}
      </button>
    </form>
  );
}

function IdentityForm(props: {
  jmap: Jmap;
  identity: settings.Identity;
  onSaved(): void;
  onError(e: unknown): void;
}) {
  const [name, setName] = useState(props.identity.name);
  const [sig, setSig] = useState(props.identity.textSignature);
  return (
    <form
      class="settings-form identity"
      data-email={props.identity.email}
      onSubmit={(e) => {
        e.preventDefault();
        settings
          .updateIdentity(props.jmap, props.identity.id, { name, textSignature: sig })
          .then(props.onSaved, props.onError);
      }}
    >
      <h4>{props.identity.email}</h4>
      <label>
        {t("settings.name")}
        <input
          type="text"
          name="identity-name"
          value={name}
          onInput={(e) => setName(e.currentTarget.value)}
        />
      </label>
      <label>
        {t("settings.signature")}
        <textarea
          name="identity-signature"
          rows={3}
          value={sig}
          onInput={(e) => setSig(e.currentTarget.value)}
        />
      </label>
      <button type="submit">{t("settings.saveIdentity")}</button>
    </form>
  );
}

export function Settings(props: {
  jmap: Jmap;
  identities: settings.Identity[];
  mailboxes: Mailbox[];
  /** Open with this rule in the rules editor ("Create rule from this message"). */
  newRule?: Rule | null;
  onIdentitiesChanged(): void;
  onClose(): void;
  say(text: string): void;
  fail(e: unknown): void;
}) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && props.onClose();
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);
  return (
    <div class="overlay">
      <div class="dialog settings" role="dialog" aria-label={t("settings.title")}>
        <h2>{t("settings.title")}</h2>
        <VacationForm jmap={props.jmap} onSaved={() => props.say(t("settings.saved"))} onError={props.fail} />
        {props.jmap.has(CAP_SIEVE) && (
          <Rules
            jmap={props.jmap}
            mailboxes={props.mailboxes}
            initialRule={props.newRule ?? null}
            onSaved={() => props.say(t("settings.saved"))}
            onError={props.fail}
          />
        )}
        {props.jmap.has(CAP_SPAM) && (
          <SpamSettings
            jmap={props.jmap}
            onSaved={() => props.say(t("settings.saved"))}
            onError={props.fail}
          />
        )}
        {props.jmap.has(CAP_APP_PASSWORDS) && (
          <AppPasswords
            jmap={props.jmap}
            onSaved={() => props.say(t("settings.saved"))}
            onError={props.fail}
          />
        )}
        <h3>{t("settings.twoFactor")}</h3>
        <p class="hint">
          {t("settings.twoFactorHint")}{" "}
          <a href="/settings/2fa" target="_blank" rel="noopener">
            {t("settings.twoFactorOpen")}
          </a>
        </p>
        <h3>{t("settings.identities")}</h3>
        {props.identities.map((i) => (
          <IdentityForm
            key={i.id}
            jmap={props.jmap}
            identity={i}
            onSaved={() => {
              props.say(t("settings.saved"));
              props.onIdentitiesChanged();
            }}
            onError={props.fail}
          />
        ))}
        <button type="button" onClick={props.onClose}>
          {t("app.close")}
        </button>
      </div>
    </div>
  );
}
