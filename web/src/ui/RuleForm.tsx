// The form that adds or edits one mail rule: a name, all/any, condition rows (what to look at,
// how to compare, the value) and action rows (folder picker from the mailbox list, forward
// address, reject message). It edits a Rule (rules/model.ts) and says what is missing before
// handing it back; writing Sieve is rules/sieve-write.ts's job.
import { useState } from "preact/hooks";
import { t } from "../i18n";
import {
  ACTION_KINDS,
  type Action,
  type ActionKind,
  CONDITION_KINDS,
  type Condition,
  type ConditionKind,
  newAction,
  newCondition,
  type Rule,
  ruleProblem,
  TEXT_MATCHES,
  type TextMatch,
} from "../rules/model";

function ConditionRow(props: { c: Condition; onChange(c: Condition): void; onRemove(): void }) {
  const { c } = props;
  return (
    <li class="condition-row">
      <select
        name="condition-kind"
        aria-label={t("rules.condition")}
        value={c.kind}
        onChange={(e) => props.onChange(newCondition(e.currentTarget.value as ConditionKind))}
      >
        {CONDITION_KINDS.map((k) => (
          <option key={k} value={k}>
            {t(`rules.field.${k}`)}
          </option>
        ))}
      </select>
      {c.kind === "header" && (
        <input
          type="text"
          name="condition-header"
          aria-label={t("rules.headerName")}
          placeholder={t("rules.headerName")}
          value={c.header}
          onInput={(e) => props.onChange({ ...c, header: e.currentTarget.value.trim() })}
        />
      )}
      {"match" in c && (
        <>
          <select
            name="condition-match"
            aria-label={t("rules.condition")}
            value={c.match}
            onChange={(e) => props.onChange({ ...c, match: e.currentTarget.value as TextMatch })}
          >
            {TEXT_MATCHES.map((m) => (
              <option key={m} value={m}>
                {t(`rules.match.${m}`)}
              </option>
            ))}
          </select>
          <input
            type="text"
            name="condition-value"
            aria-label={t("rules.value")}
            value={c.value}
            onInput={(e) => props.onChange({ ...c, value: e.currentTarget.value })}
          />
        </>
      )}
      {c.kind === "size" && (
        <>
          <select
            name="condition-size"
            aria-label={t("rules.condition")}
            value={c.over ? "over" : "under"}
            onChange={(e) => props.onChange({ ...c, over: e.currentTarget.value === "over" })}
          >
            <option value="over">{t("rules.sizeOver")}</option>
            <option value="under">{t("rules.sizeUnder")}</option>
          </select>
          <input
            type="number"
            name="condition-kb"
            min={0}
            step={1}
            aria-label={t("rules.sizeKb")}
            value={String(c.kb)}
            onInput={(e) => props.onChange({ ...c, kb: Number(e.currentTarget.value) })}
          />{" "}
          KB
        </>
      )}
      {c.kind === "spam" && (
        <select
          name="condition-spam"
          aria-label={t("rules.condition")}
          value={c.spam ? "yes" : "no"}
          onChange={(e) => props.onChange({ ...c, spam: e.currentTarget.value === "yes" })}
        >
          <option value="yes">{t("rules.isSpam")}</option>
          <option value="no">{t("rules.notSpam")}</option>
        </select>
      )}
      <button type="button" class="remove" aria-label={t("rules.removeCondition")} onClick={props.onRemove}>
        ×
      </button>
    </li>
  );
}

function ActionRow(props: {
  a: Action;
  folders: { id: string; path: string }[];
  onChange(a: Action): void;
  onRemove(): void;
}) {
  const { a } = props;
  return (
    <li class="action-row">
      <select
        name="action-kind"
        aria-label={t("rules.action")}
        value={a.kind}
        onChange={(e) => props.onChange(newAction(e.currentTarget.value as ActionKind))}
      >
        {ACTION_KINDS.map((k) => (
          <option key={k} value={k}>
            {t(`rules.do.${k}`)}
          </option>
        ))}
      </select>
      {(a.kind === "move" || a.kind === "copy") && (
        <select
          name="action-folder"
          aria-label={t("rules.folder")}
          value={a.folder}
          onChange={(e) => props.onChange({ ...a, folder: e.currentTarget.value })}
        >
          <option value="">{t("rules.chooseFolder")}</option>
          {/* A folder named in the rule that is gone now stays chosen (and visible). */}
          {a.folder && !props.folders.some((f) => f.path === a.folder) && (
            <option value={a.folder}>{a.folder}</option>
          )}
          {props.folders.map((f) => (
            <option key={f.id} value={f.path}>
              {f.path}
            </option>
          ))}
        </select>
      )}
      {a.kind === "forward" && (
        <>
          <input
            type="email"
            name="action-to"
            aria-label={t("rules.forwardTo")}
            placeholder="name@example.com"
            value={a.to}
            onInput={(e) => props.onChange({ ...a, to: e.currentTarget.value.trim() })}
          />
          <label class="check">
            <input
              type="checkbox"
              name="action-keep"
              checked={a.keep}
              onChange={(e) => props.onChange({ ...a, keep: e.currentTarget.checked })}
            />
            {t("rules.keepCopy")}
          </label>
        </>
      )}
      {a.kind === "reject" && (
        <textarea
          name="action-reason"
          rows={2}
          aria-label={t("rules.reason")}
          value={a.reason}
          onInput={(e) => props.onChange({ ...a, reason: e.currentTarget.value })}
        />
      )}
      <button type="button" class="remove" aria-label={t("rules.removeAction")} onClick={props.onRemove}>
        ×
      </button>
    </li>
  );
}

export function RuleForm(props: {
  initial: Rule;
  folders: { id: string; path: string }[];
  onSave(rule: Rule): Promise<void>;
  onCancel(): void;
}) {
  const [r, setRule] = useState<Rule>(props.initial);
  const [problem, setProblem] = useState<string | null>(null);
  /** Any change: what the form said about the rule before no longer holds. */
  const setR = (next: Rule) => {
    setRule(next);
    setProblem(null);
  };
  const [busy, setBusy] = useState(false);
  const setCond = (i: number, c: Condition | null) =>
    setR({
      ...r,
      conditions: c ? r.conditions.map((x, k) => (k === i ? c : x)) : r.conditions.filter((_, k) => k !== i),
    });
  const setAct = (i: number, a: Action | null) =>
    setR({
      ...r,
      actions: a ? r.actions.map((x, k) => (k === i ? a : x)) : r.actions.filter((_, k) => k !== i),
    });
  return (
    <form
      class="rule-form"
      aria-label={t("rules.name")}
      onSubmit={(e) => {
        e.preventDefault();
        const rule = { ...r, name: r.name.trim() };
        const p = ruleProblem(rule);
        if (p) {
          setProblem(t(`rules.problem.${p}`));
          return;
        }
        setProblem(null);
        setBusy(true);
        props.onSave(rule).finally(() => setBusy(false));
      }}
    >
      <label>
        {t("rules.name")}
        <input
          type="text"
          name="rule-name"
          value={r.name}
          onInput={(e) => setR({ ...r, name: e.currentTarget.value })}
        />
      </label>
      <fieldset class="conditions">
        <legend>{t("rules.conditions")}</legend>
        <label>
          {t("rules.applyWhen")}{" "}
          <select
            name="rule-match"
            value={r.match}
            onChange={(e) => setR({ ...r, match: e.currentTarget.value === "any" ? "any" : "all" })}
          >
            <option value="all">{t("rules.matchAll")}</option>
            <option value="any">{t("rules.matchAny")}</option>
          </select>
        </label>
        {r.conditions.length === 0 ? (
          <p class="none">{t("rules.noConditions")}</p>
        ) : (
          <ul>
            {r.conditions.map((c, i) => (
              <ConditionRow key={i} c={c} onChange={(x) => setCond(i, x)} onRemove={() => setCond(i, null)} />
            ))}
          </ul>
        )}
        <button
          type="button"
          onClick={() => setR({ ...r, conditions: [...r.conditions, newCondition("from")] })}
        >
          {t("rules.addCondition")}
        </button>
      </fieldset>
      <fieldset class="actions">
        <legend>{t("rules.actions")}</legend>
        <ul>
          {r.actions.map((a, i) => (
            <ActionRow
              key={i}
              a={a}
              folders={props.folders}
              onChange={(x) => setAct(i, x)}
              onRemove={() => setAct(i, null)}
            />
          ))}
        </ul>
        <button type="button" onClick={() => setR({ ...r, actions: [...r.actions, newAction("move")] })}>
          {t("rules.addAction")}
        </button>
      </fieldset>
      {problem && (
        <p class="error" role="alert">
          {problem}
        </p>
      )}
      <div class="buttons">
        <button type="submit" class="primary" disabled={busy}>
          {t("rules.save")}
        </button>
        <button type="button" onClick={props.onCancel}>
          {t("rules.cancel")}
        </button>
      </div>
    </form>
  );
}
