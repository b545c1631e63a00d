// Settings → Rules: the user's mail rules in order (on/off, up/down, edit, delete), the form to
// add or edit one, and below it the raw Sieve editor. The state and its saves are
// state/rules-editor.ts (one script, written anew and activated on every change); this view
// renders it. Shown only when the server offers JMAP Sieve.
import { useEffect, useMemo, useRef, useState } from "preact/hooks";
import type { Jmap } from "../api/jmap";
import { scriptBlobs } from "../api/script-blobs";
import { t } from "../i18n";
import type { Mailbox } from "../mail/types";
import { folderPaths } from "../rules/list";
import { type Action, type Condition, emptyRule, newAction, newCondition, type Rule } from "../rules/model";
import { RulesEditor } from "../state/rules-editor";
import { RawSieve } from "./RawSieve";
import { RuleForm } from "./RuleForm";
import { useStore } from "./use-store";

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

export function Rules(props: {
  jmap: Jmap;
  mailboxes: Mailbox[];
  /** A rule to start editing at once ("Create rule from this message"). */
  initialRule?: Rule | null;
  onSaved(): void;
  onError(e: unknown): void;
}) {
  const ed = useMemo(() => new RulesEditor(props.jmap, scriptBlobs(props.jmap)), [props.jmap]);
  useStore(ed);
  const [editing, setEditing] = useState<{ index: number | null; rule: Rule } | null>(
    props.initialRule ? { index: null, rule: withAnAction(props.initialRule) } : null,
  );
  const formRef = useRef<HTMLDivElement>(null);
  const folders = folderPaths(props.mailboxes);
  const { loaded, rules, refused, version } = ed.state;

  useEffect(() => {
    ed.load().catch(props.onError);
  }, [ed]);
  useEffect(() => {
    if (props.initialRule) formRef.current?.scrollIntoView({ block: "nearest" });
  }, [loaded]);

  if (!loaded) return <p>{t("list.loading")}</p>;
  const otherActive = ed.otherActive();
  /** A change saved: said when it went through; a refusal is shown by the state. */
  const change = (saving: Promise<boolean>) =>
    void saving.then((ok) => ok && props.onSaved()).catch(props.onError);

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
          <button type="button" onClick={() => change(ed.startOver())}>
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
                  onChange={(e) => change(ed.setEnabled(i, e.currentTarget.checked))}
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
                  onClick={() => change(ed.move(i, -1))}
                >
                  ↑
                </button>
                <button
                  type="button"
                  aria-label={t("rules.down", { name: r.name })}
                  disabled={i === rules.length - 1}
                  onClick={() => change(ed.move(i, 1))}
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
                    if (window.confirm(t("rules.confirmDelete", { name: r.name }))) change(ed.remove(i));
                  }}
                >
                  {t("rules.delete")}
                </button>
              </span>
            </li>
          ))}
        </ol>
      )}
      {refused && (
        <p class="error" role="alert">
          {t("rules.saveFailed", { reason: refused })}
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
                if (await ed.put(editing.index, rule)) {
                  setEditing(null);
                  props.onSaved();
                }
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
                    ...emptyRule(),
                    conditions: [newCondition("from")],
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
          onChanged={() => void ed.load().catch(props.onError)}
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
