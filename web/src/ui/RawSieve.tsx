// Settings → Rules → "Edit as a Sieve script": every script of the user (RFC 9661 SieveScript),
// which one is active, a textarea for the text, Check (SieveScript/validate) showing the
// server's errors with line and column, Save and Delete. For those who know Sieve; a script
// edited here that the rules editor did not write is shown only here.
import { useEffect, useState } from "preact/hooks";
import type { Jmap } from "../api/jmap";
import { scriptBlobs } from "../api/script-blobs";
import { t } from "../i18n";
import * as sieve from "../mail/sieve-scripts";
import { RULES_SCRIPT } from "../rules/model";

type Problems = { line: number | null; column: number | null; message: string }[];

export function RawSieve(props: {
  jmap: Jmap;
  version: number;
  onChanged(): void;
  onError(e: unknown): void;
}) {
  const blobs = scriptBlobs(props.jmap);
  const [scripts, setScripts] = useState<sieve.SieveScript[] | null>(null);
  /** The script in the textarea; "" for a new one. */
  const [selected, setSelected] = useState("");
  const [name, setName] = useState("");
  const [text, setText] = useState("");
  const [problems, setProblems] = useState<Problems | null>(null);

  const open = async (list: sieve.SieveScript[], id: string) => {
    const s = list.find((x) => x.id === id);
    setSelected(s?.id ?? "");
    setName(s?.name ?? "");
    setText(s ? await blobs.download(s) : "");
    setProblems(null);
  };
  const reload = async (id?: string) => {
    const list = await sieve.listScripts(props.jmap);
    setScripts(list);
    const first = list.find((s) => s.isActive) ?? list.find((s) => s.name === RULES_SCRIPT) ?? list[0];
    await open(list, id ?? first?.id ?? "");
  };
  // Read afresh when the rules editor saved (version changes).
  useEffect(() => {
    reload().catch(props.onError);
  }, [props.version]);

  if (!scripts) return <p>{t("list.loading")}</p>;
  const active = scripts.find((s) => s.isActive);
  const show = (e: unknown) => {
    if (e instanceof sieve.ScriptError) setProblems(sieve.diagnostics(e.description ?? e.type));
    else props.onError(e);
  };
  return (
    <div class="raw-sieve">
      <p class="hint">{t("rules.rawHint")}</p>
      <label>
        {t("rules.activeScript")}{" "}
        <select
          name="active-script"
          value={active?.id ?? ""}
          onChange={(e) => {
            sieve
              .activateScript(props.jmap, e.currentTarget.value || null)
              .then(() => reload(selected))
              .then(props.onChanged)
              .catch(props.onError);
          }}
        >
          <option value="">{t("rules.noActive")}</option>
          {scripts.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name ?? s.id}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t("rules.script")}{" "}
        <select
          name="edit-script"
          value={selected}
          onChange={(e) => void open(scripts, e.currentTarget.value).catch(props.onError)}
        >
          {scripts.map((s) => (
            <option key={s.id} value={s.id}>
              {s.name ?? s.id}
            </option>
          ))}
          <option value="">{t("rules.newScript")}</option>
        </select>
      </label>
      {selected === "" && (
        <label>
          {t("rules.scriptName")}
          <input
            type="text"
            name="script-name"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
          />
        </label>
      )}
      <label>
        {t("rules.scriptText")}
        <textarea
          name="script-text"
          rows={14}
          spellcheck={false}
          value={text}
          onInput={(e) => {
            setText(e.currentTarget.value);
            setProblems(null);
          }}
        />
      </label>
      {problems &&
        (problems.length === 0 ? (
          <p class="valid" role="status">
            {t("rules.valid")}
          </p>
        ) : (
          <ul class="error sieve-errors" role="alert">
            {problems.map((p, i) => (
              <li key={i}>
                {p.line === null
                  ? p.message
                  : t("rules.errorAt", { line: p.line, column: p.column ?? 1, message: p.message })}
              </li>
            ))}
          </ul>
        ))}
      <div class="buttons">
        <button
          type="button"
          onClick={() => {
            sieve
              .validateScript(props.jmap, blobs, text)
              .then((err) => setProblems(err ? sieve.diagnostics(err.description ?? err.type) : []))
              .catch(props.onError);
          }}
        >
          {t("rules.validate")}
        </button>
        <button
          type="button"
          class="primary"
          onClick={() => {
            const s = scripts.find((x) => x.id === selected);
            const scriptName = s?.name ?? name.trim();
            if (!scriptName) {
              setProblems([{ line: null, column: null, message: t("rules.scriptName") }]);
              return;
            }
            sieve
              .saveScript(props.jmap, blobs, {
                id: s?.id ?? null,
                name: scriptName,
                text,
                activate: s?.isActive ?? false,
              })
              .then((saved) => reload(saved.id))
              .then(props.onChanged)
              .catch(show);
          }}
        >
          {t("rules.saveScript")}
        </button>
        {selected !== "" && (
          <button
            type="button"
            onClick={() => {
              const s = scripts.find((x) => x.id === selected);
              if (!s || !window.confirm(t("rules.confirmDeleteScript", { name: s.name ?? s.id }))) return;
              // The active script cannot be deleted (RFC 9661 2.2 sieveIsActive): deactivated first.
              (s.isActive ? sieve.activateScript(props.jmap, null) : Promise.resolve())
                .then(() => sieve.destroyScript(props.jmap, s.id))
                .then(() => reload())
                .then(props.onChanged)
                .catch(show);
            }}
          >
            {t("rules.deleteScript")}
          </button>
        )}
      </div>
    </div>
  );
}
