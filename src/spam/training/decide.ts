// What a user's action says about a message: the rules by which src/spam/training/trainer.ts
// turns change events into training. Pure functions of the event and the mailboxes involved.
//
// - A COPY or MOVE into the Junk mailbox (special-use \Junk, RFC 6154 2) says spam. Moved or
//   copied OUT of Junk into any mailbox but Trash says not spam (ham): that is how a user rescues
//   a false positive, and clients without MOVE (RFC 6851) move as COPY + \Deleted + EXPUNGE, so a
//   copy counts as a move. Into Trash says only "delete it", nothing about spam.
// - A delivery never trains: mail our own filter files into Junk would otherwise teach the model
//   its own verdicts (a feedback loop). An APPEND neither: clients append drafts, sent copies,
//   imports and synchronised folders, which say nothing about what the user thinks of them.
// - Setting the keyword $Junk says spam, $NotJunk ham: Thunderbird's junk controls set these
//   (and the IANA IMAP keywords registry lists them); Apple Mail sets "Junk" / "NotJunk", which
//   count the same. Only the setting of a keyword counts (the event's keywordsAdded), not its
//   presence, so a later \Seen on a message that kept $Junk after being moved out of Junk does
//   not train it back. Both set in one update is ambiguous and trains nothing.

import type { AddedCause } from "../../store/notifier.js";
import type { SpamClass, SpecialUse } from "../../store/types.js";

const SPAM_KEYWORDS = new Set(["$junk", "junk"]);
const HAM_KEYWORDS = new Set(["$notjunk", "notjunk"]);

/** The class a COPY/MOVE trains, or null. `from` is null when the source mailbox is gone. */
export function classOfTransfer(
  cause: AddedCause,
  to: SpecialUse | null,
  from: SpecialUse | null,
): SpamClass | null {
  if (cause !== "copy" && cause !== "move") return null;
  const toJunk = to === "\\Junk";
  const fromJunk = from === "\\Junk";
  if (toJunk) return fromJunk ? null : "spam";
  if (fromJunk && to !== "\\Trash") return "ham";
  return null;
}

/** The class the setting of these keywords (lower-case) trains, or null. */
export function classOfKeywords(added: readonly string[]): SpamClass | null {
  const spam = added.some((k) => SPAM_KEYWORDS.has(k));
  const ham = added.some((k) => HAM_KEYWORDS.has(k));
  if (spam === ham) return null;
  return spam ? "spam" : "ham";
}

/** Whether a message's flags still carry a keyword of this class (it may have been removed
 *  between the event and the training). */
export function hasClassKeyword(flags: readonly string[], as: SpamClass): boolean {
  const set = as === "spam" ? SPAM_KEYWORDS : HAM_KEYWORDS;
  return flags.some((f) => set.has(f.toLowerCase()));
}
