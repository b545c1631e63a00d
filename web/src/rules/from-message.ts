// "Create rule from this message": a new rule pre-filled from the open message: its sender's
// address (From is …) and its subject (Subject contains …), for the user to trim and finish.
import { emptyRule, type Rule } from "./model";

export function ruleFromMessage(m: {
  from: { name: string | null; email: string }[] | null;
  subject: string | null;
}): Rule {
  const r = emptyRule();
  const from = m.from?.[0];
  if (from?.email) r.conditions.push({ kind: "from", match: "is", value: from.email });
  const subject = m.subject?.trim();
  if (subject) r.conditions.push({ kind: "subject", match: "contains", value: subject });
  r.name = from?.name?.trim() || from?.email || subject || "";
  return r;
}
