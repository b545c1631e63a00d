// The spam filter's vocabulary: the message as the classifier and the rules see it (built once
// per message by message-view.ts), and the named score contributions every source gives.

import type { FilterInput } from "../postoffice/types.js";

/** One link in an HTML part (or a bare URL in text): where it points and what it says. */
export interface Link {
  /** The href (or the bare URL), as written (entities decoded), at most 2,048 characters. */
  url: string;
  /** The lower-cased host of the URL; "" when it has none (mailto:, relative, malformed). */
  host: string;
  /** The anchor's visible text (tags removed, whitespace collapsed), "" for a bare URL. */
  text: string;
}

/** An attachment or inline non-text part. */
export interface AttachmentInfo {
  /** File name from Content-Disposition or Content-Type name= (decoded), "" when none. */
  filename: string;
  /** "type/subtype", lower-case. */
  contentType: string;
  /** Encoded size in octets. */
  size: number;
}

/** The message, decoded once, bounded: at most `maxTextBytes` of text in all (the rest is not
 *  looked at; `truncated` says so), so a 25 MB message costs what its first part does. */
export interface MessageView {
  /** Top-level header fields in order, names lower-cased, values unfolded and RFC 2047-decoded. */
  headers: { name: string; value: string }[];
  /** Decoded Subject ("" when absent). */
  subject: string;
  /** Text of the text/plain parts, then of the text/html parts reduced to text. */
  text: string;
  /** The text/html parts as decoded (for rules that look at markup); "" when none. */
  html: string;
  links: Link[];
  attachments: AttachmentInfo[];
  /** Total message size in octets. */
  size: number;
  truncated: boolean;
}

/** A named contribution to a message's spam score: positive spammy, negative hammy. Names are
 *  stable identifiers an admin can look up ("DKIM_ALIGNED", "BAYES_95", "RBL_zen.example"). */
export interface Signal {
  name: string;
  score: number;
  /** A short human explanation (one line, ≤ 200 chars), for the admin page and the log. */
  detail?: string;
}

/** A source of signals beyond the built-in rules and classifier: rspamd, URI block lists.
 *  Asked once per scored message, in parallel with the others. */
export interface SignalSource {
  name: string;
  /** Never throws and honours its own deadline: a failure gives no signals (logged by the
   *  source) or one signal of score 0 whose detail says what failed. */
  signals(input: FilterInput, view: MessageView): Promise<Signal[]>;
}
