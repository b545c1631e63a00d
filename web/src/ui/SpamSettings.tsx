// Settings → Spam: the senders whose mail is never treated as spam and those whose mail always
// goes to Junk, each an address or "@domain", added and removed one at a time; each change is
// saved at once (SpamSettings/set, mail/spam-settings.ts). Shown only when the server offers
// the extension (its spam filter runs).
import { useEffect, useState } from "preact/hooks";
import type { Jmap } from "../api/jmap";
import { t } from "../i18n";
import * as spam from "../mail/spam-settings";

function SpamList(props: {
  name: spam.SpamListName;
  list: string[];
  onChange(list: string[]): Promise<void>;
  onError(e: unknown): void;
}) {
  const [text, setText] = useState("");
  const [bad, setBad] = useState<string | null>(null);
  return (
    <fieldset class={`spam-list ${props.name}`}>
      <legend>{props.name === "allow" ? t("settings.spamAllow") : t("settings.spamBlock")}</legend>
      {props.list.length === 0 ? (
        <p class="none">{t("settings.spamNone")}</p>
      ) : (
        <ul>
          {props.list.map((entry) => (
            <li key={entry}>
              <span class="entry">{entry}</span>{" "}
              <button
                type="button"
                class="remove"
                aria-label={t("settings.spamRemove", { entry })}
                onClick={() =>
                  void props.onChange(props.list.filter((x) => x !== entry)).catch(props.onError)
                }
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          const entry = spam.spamEntry(text);
          if (!entry) {
            setBad(text);
            return;
          }
          setBad(null);
          props.onChange(spam.withEntry(props.list, entry)).then(() => setText(""), props.onError);
        }}
      >
        <input
          type="text"
          class="spam-entry"
          name={`spam-${props.name}`}
          aria-label={props.name === "allow" ? t("settings.spamAllow") : t("settings.spamBlock")}
          placeholder="name@example.com, @example.com"
          value={text}
          onInput={(e) => setText(e.currentTarget.value)}
        />
        <button type="submit">{t("settings.spamAdd")}</button>
        {bad !== null && (
          <p class="error" role="alert">
            {t("settings.spamBadEntry", { entry: bad })}
          </p>
        )}
      </form>
    </fieldset>
  );
}

export function SpamSettings(props: { jmap: Jmap; onSaved(): void; onError(e: unknown): void }) {
  const [lists, setLists] = useState<spam.SpamLists | null>(null);
  useEffect(() => {
    spam.loadSpamLists(props.jmap).then(setLists).catch(props.onError);
  }, []);
  if (!lists) return <p>{t("list.loading")}</p>;
  const change = (name: spam.SpamListName) => async (list: string[]) => {
    await spam.saveSpamList(props.jmap, name, list);
    // What the server stored (it normalises): read back rather than assumed.
    setLists(await spam.loadSpamLists(props.jmap));
    props.onSaved();
  };
  return (
    <section class="settings-form spam">
      <h3>{t("settings.spam")}</h3>
      <p class="hint">{t("settings.spamHint")}</p>
      <SpamList name="allow" list={lists.allow} onChange={change("allow")} onError={props.onError} />
      <SpamList name="block" list={lists.block} onChange={change("block")} onError={props.onError} />
    </section>
  );
}
