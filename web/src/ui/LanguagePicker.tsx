import { currentLanguage, LANGUAGES, setLanguage, t } from "../i18n";

export function LanguagePicker(props: { onChange(): void }) {
  return (
    <select
      class="lang"
      aria-label={t("app.language")}
      value={currentLanguage()}
      onChange={(e) => {
        setLanguage(e.currentTarget.value);
        props.onChange();
      }}
    >
      {Object.entries(LANGUAGES).map(([code, l]) => (
        <option key={code} value={code}>
          {l.name}
        </option>
      ))}
    </select>
  );
}
