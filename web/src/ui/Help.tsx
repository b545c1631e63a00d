import { useEffect } from "preact/hooks";
import { t } from "../i18n";
import { SHORTCUTS } from "./shortcuts";

export function Help(props: { onClose(): void }) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && props.onClose();
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);
  return (
    <div class="overlay">
      <div class="dialog" role="dialog" aria-label={t("app.shortcuts")}>
        <h2>{t("app.shortcuts")}</h2>
        <table class="keys">
          <tbody>
            {SHORTCUTS.map((s) => (
              <tr key={s.action}>
                <td>
                  {s.keys.map((k) => (
                    <kbd key={k}>{k}</kbd>
                  ))}
                </td>
                <td>{t(s.label)}</td>
              </tr>
            ))}
            <tr>
              <td>
                <kbd>Ctrl</kbd>+<kbd>Enter</kbd>
              </td>
              <td>{t("keys.send")}</td>
            </tr>
          </tbody>
        </table>
        <button type="button" onClick={props.onClose}>
          {t("app.close")}
        </button>
      </div>
    </div>
  );
}
