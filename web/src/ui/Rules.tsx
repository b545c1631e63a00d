// Settings → Rules: the user's mail rules in order (on/off, up/down, edit, delete), the form to
// add or edit one, and below it the raw Sieve editor. The rules live in one Sieve script,
// RULES_SCRIPT, written by rules/sieve-write.ts and activated on every save (RFC 9661
// SieveScript/set with onSuccessActivateScript), so what the server runs is what is listed.
// Shown only when the server offers JMAP Sieve.
import { useEffect, useRef, useState } from "preact/hooks";
import type { Jmap } from "../api/jmap";
import { scriptBlobs } from "../api/script-blobs";
import { t } from "../i18n";
import * as sieve from "../mail/sieve-scripts";
import type { Mailbox } from "../mail/types";
import { folderPaths, moveRule, putRule, removeRule } from "../rules/list";
import { type Action, type Condition, newAction, RULES_SCRIPT, type Rule } from "../rules/model";
import { type ReadResult, sieveToRules } from "../rules/sieve-read";
import { rulesToSieve } from "../rules/sieve-write";
import { RawSieve } from "./RawSieve";
import { RuleForm } from "./RuleForm";

function conditionText(c: Condition): string {
  const field = t(`rules.field.${c.kind}`);
  switch (c.kind) {
    case "size":
      return t("rules.summary.size", { cmp: c.over ? t("rules.sizeOver") : t("rules.sizeUnder"), n: c.kb });
    case "spam":
      return `${field}: ${c.spam ? t("rules.isSpam") : t("rules.notSpam")}`;
    case "header":
      return `${c.header} ${t(`rules.match.${c.match}`)} "${c.value}"`;
    default:
      return `${field} ${t(`rules.match.${c.match}`)} "${c.value}"`;
  }
}

function actionText(a: Action): string {
  switch (a.kind) {
    case "move":
    case "copy":
      return `${t(`rules.do.${a.kind}`)} ${a.folder}`;
    case "forward":
      return t(a.keep ? "rules.summary.forwardKeep" : "rules.summary.forward", { to: a.to });
    default:
      return t(`rules.do.${a.kind}`);
  }
}

interface Loaded {
  script: sieve.SieveScript | null;
  all: sieve.SieveScript[];
  read: ReadResult;
}

export function Rules(props: {
  jmap: Jmap;
  mailboxes: Mailbox[];
  /** A rule to start editing at once ("Create rule from this message"). */
  initialRule?: Rule | null;
  onSaved(): void;
  onError(e: unknown): void;
}) {
  const blobs = scriptBlobs(props.jmap);
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [editing, setEditing] = useState<{ index: number | null; rule: Rule } | null>(
    props.initialRule ? { index: null, rule: withAnAction(props.initialRule) } : null,
  );
  const [saveError, setSaveError] = useState<string | null>(null);
  /** Bumped after each save, so the raw editor reads the scripts again. */
  const [version, setVersion] = useState(0);
  const formRef = useRef<HTMLDivElement>(null);
  const folders = folderPaths(props.mailboxes);

  const load = async () => {
    const r = await sieve.readNamed(props.jmap, blobs, RULES_SCRIPT);
    setLoaded({ script: r.script, all: r.all, read: sieveToRules(r.text) });
  };
  useEffect(() => {
    load().catch(props.onError);
  }, []);
  useEffect(() => {
    if (props.initialRule) formRef.current?.scrollIntoView({ block: "nearest" });
  }, [loaded !== null]);

  if (!loaded) return <p>{t("list.loading")}</p>;
  const rules = loaded.read.ok ? loaded.read.rules : null;
  const otherActive = loaded.all.find((s) => s.isActive && s.name !== RULES_SCRIPT);

  /** Writes the list as the rules script and activates it; false when the server refused. */
  const save = async (next: Rule[]): Promise<boolean> => {
    try {
      await sieve.saveScript(props.jmap, blobs, {
        id: loaded.script?.id ?? null,
        name: RULES_SCRIPT,
        text: rulesToSieve(next),
        activate: true,
      });
    } catch (e) {
      if (!(e instanceof sieve.ScriptError)) throw e;
      setSaveError(t("rules.saveFailed", { reason: e.description ?? e.type }));
      return false;
    }
    setSaveError(null);
    await load();
    setVersion((v) => v + 1);
    props.onSaved();
    return true;
  };
  const change = (next: Rule[]) => void save(next).catch(props.onError);

  return (
    <section class="settings-form rules">
      <h3>{t("rules.title")}</h3>
      <p class="hint">{t("rules.hint")}</p>
      {otherActive && (
        <p class="hint">{t("rules.otherActive", { name: otherActive.name ?? otherActive.id })}</p>
      )}
      {rules === null ? (
        <div class="hand-edited">
          <p>{t("rules.handEdited")}</p>
          <button type="button" onClick={() => change([])}>
            {t("rules.startOver")}
          </button>
        </div>
      ) : rules.length === 0 ? (
        <p class="none">{t("rules.none")}</p>
      ) : (
        <ol class="rule-list">
          {rules.map((r, i) => (
            <li key={i} data-rule={r.name} class={r.enabled ? "" : "off"}>
              <label class="check">
                <input
                  type="checkbox"
                  name="rule-enabled"
                  aria-label={t("rules.enabled", { name: r.name })}
                  checked={r.enabled}
                  onChange={(e) => change(putRule(rules, i, { ...r, enabled: e.currentTarget.checked }))}
                />
                <span class="name">{r.name}</span>
                {!r.enabled && <span class="off"> {t("rules.off")}</span>}
              </label>
              <span class="summary">
                {r.conditions.map(conditionText).join("; ") || t("rules.noConditions")}
                {" → "}
                {r.actions.map(actionText).join(", ")}
              </span>
              <span class="buttons">
                <button
                  type="button"
                  aria-label={t("rules.up", { name: r.name })}
                  disabled={i === 0}
                  onClick={() => change(moveRule(rules, i, -1))}
                >
                  ↑
                </button>
                <button
                  type="button"
                  aria-label={t("rules.down", { name: r.name })}
                  disabled={i === rules.length - 1}
                  onClick={() => change(moveRule(rules, i, 1))}
                >
                  ↓
                </button>
                <button
                  type="button"
                  aria-label={t("rules.editNamed", { name: r.name })}
                  onClick={() => setEditing({ index: i, rule: r })}
                >
                  {t("rules.edit")}
                </button>
                <button
                  type="button"
                  aria-label={t("rules.deleteNamed", { name: r.name })}
                  onClick={() => {
                    if (window.confirm(t("rules.confirmDelete", { name: r.name })))
                      change(removeRule(rules, i));
                  }}
                >
                  {t("rules.delete")}
                </button>
              </span>
            </li>
          ))}
        </ol>
      )}
      {saveError && (
        <p class="error" role="alert">
          {saveError}
        </p>
      )}
      <div ref={formRef}>
        {editing && rules !== null ? (
          <RuleForm
            key={editing.index ?? "new"}
            initial={editing.rule}
            folders={folders}
            onCancel={() => setEditing(null)}
            onSave={async (rule) => {
              try {
                if (await save(putRule(rules, editing.index, rule))) setEditing(null);
              } catch (e) {
                props.onError(e);
              }
            }}
          />
        ) : (
          rules !== null && (
            <button
              type="button"
              onClick={() =>
                setEditing({
                  index: null,
                  rule: withAnAction({
                    name: "",
                    enabled: true,
                    match: "all",
                    conditions: [{ kind: "from", match: "contains", value: "" }],
                    actions: [],
                  }),
                })
              }
            >
              {t("rules.new")}
            </button>
          )
        )}
      </div>
      <details class="raw" open={rules === null}>
        <summary>{t("rules.raw")}</summary>
        <RawSieve
          jmap={props.jmap}
          version={version}
          onChanged={() => void load().catch(props.onError)}
          onError={props.onError}
        />
      </details>
    </section>
  );
}

/** A new rule's form starts with one action row: "move to folder", the most asked for. */
function withAnAction(r: Rule): Rule {
  return r.actions.length > 0 ? r : { ...r, actions: [newAction("move")] };
}
