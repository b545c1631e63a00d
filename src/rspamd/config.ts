// [rspamd] section: an rspamd the admin already runs, asked over its HTTP /checkv2 protocol
// (client.ts) for every message the spam filter scores; its score joins ours as one signal
// (source.ts). Off by default: Yubin does not ship rspamd, and the built-in filter needs none.
import { int, str } from "../config/dsl.js";

export const rspamdSection = {
  url: str(
    "",
    'Base URL of rspamd\'s normal worker (or its proxy), e.g. "http://127.0.0.1:11333"; /checkv2 is appended. Empty: rspamd is not asked. When set, every message the spam filter scores is sent to it and its score (times weightPercent) joins the spam score as the signal RSPAMD.',
  ),
  timeoutMs: int(
    5000,
    "Longest wait for rspamd's answer (connecting, sending and its verdict); past it the message is scored without rspamd (signal RSPAMD_UNAVAILABLE, score 0, logged). The spam filter's own spam.sourceTimeoutMs also bounds it.",
    { min: 50, max: 120000 },
  ),
  password: str(
    "",
    "Sent as rspamd's Password header when set (needed by an rspamd proxy or controller that has a password); empty: not sent.",
  ),
  weightPercent: int(
    100,
    "How rspamd's score maps into ours, in percent: 100 adds it as it is (rspamd's default scale is SpamAssassin's, like ours: add_header at 6, reject at 15), 50 adds half. A percentage because config numbers are integers.",
    { min: 0, max: 1000 },
  ),
  maxBytes: int(
    10 * 1024 * 1024,
    "Largest message sent to rspamd; a larger one is not sent (signal RSPAMD_SKIPPED, score 0). Keep it at or below rspamd's max_message (50 MB by default).",
    { min: 1024, max: 1024 * 1024 * 1024 },
  ),
};
