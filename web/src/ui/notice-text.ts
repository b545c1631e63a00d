// The words of a notice (state/notices.ts) in the current language.
import { t } from "../i18n";
import type { Notice } from "../state/notices";
import { displayName } from "./format";
import { mailboxLabel } from "./Sidebar";

export function noticeText(n: Notice): string {
  switch (n.kind) {
    case "error":
      return t("error.generic", { reason: n.reason });
    case "moved":
      return t("moved.to", { name: mailboxLabel(n.to) });
    case "newMail":
      return t("app.newMail", { from: displayName(n.from) });
    case "sent":
      return t("compose.sent");
    case "folderNotEmpty":
      return t("folder.notEmpty");
    case "text":
      return n.text;
  }
}
