// A family of rules: a pure function of the message (and the clock) to the signals that fired.
import type { FilterInput } from "../../postoffice/types.js";
import type { MessageView, Signal } from "../types.js";

export interface RuleInput {
  input: FilterInput;
  view: MessageView;
  now: Date;
}

export interface RuleFamily {
  name: string;
  /** Also for mail our users send (submission, JMAP): only families that judge what a person
   *  wrote (attachments, links, subject), not how the mail travelled (auth, connection). */
  outbound: boolean;
  run(r: RuleInput): Signal[];
}

/** The value of the first header field of that (lower-case) name, or null. */
export function header(view: MessageView, name: string): string | null {
  for (const h of view.headers) if (h.name === name) return h.value;
  return null;
}

/** The top-level Content-Type's "type/subtype", lower-case ("text/plain" when absent, RFC 2045
 *  §5.2); at most the field's first 300 characters are looked at. */
export function topType(view: MessageView): string {
  const ct = (header(view, "content-type") ?? "text/plain").slice(0, 300).toLowerCase();
  const semi = ct.indexOf(";");
  return (semi < 0 ? ct : ct.slice(0, semi)).trim();
}
