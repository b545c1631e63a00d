// [spam] section: the built-in spam filter (src/spam/filter.ts). Scores are on SpamAssassin's
// scale (required_score 5), so an admin who knows SpamAssassin reads them the same way.
import { bool, int, strList } from "../config/dsl.js";
import { checkDomainPolicies } from "./domain-policy.js";

export const spamSection = {
  enabled: bool(
    true,
    "Score every message from port 25 (and what users send, for outboundHoldScore) with the built-in rules, the statistical classifier and any configured sources (rspamd, URI lists); false: no scoring, no X-Spam-* fields.",
  ),
  junkScore: int(
    5,
    "Score from which inbound mail is spam: X-Spam-Flag: YES and filed into the recipient's Junk mailbox (fileIntoJunk). SpamAssassin's required_score.",
    { min: 1, max: 1000 },
  ),
  rejectScore: int(
    15,
    "Score from which inbound mail is refused at DATA with 550 5.7.1 (in the dialogue, never bounced); only when every recipient's policy says reject and none allow-listed the sender. 0: never refuse.",
    { min: 0, max: 1000 },
  ),
  outboundHoldScore: int(
    10,
    "Score from which a message one of our users sends (submission, JMAP/webmail) has its copies for other servers held in the queue (state held, not sent, not lost) and postmaster told; the user sees success. 0: never hold.",
    { min: 0, max: 1000 },
  ),
  fileIntoJunk: bool(
    true,
    "File inbound spam into the recipient's Junk mailbox; false: INBOX with the X-Spam-* fields only.",
  ),
  addHeaders: bool(
    true,
    "Add X-Spam-Status (score, threshold and the signals that fired), X-Spam-Score and X-Spam-Flag to inbound mail; the sender's own X-Spam-* fields are removed either way.",
  ),
  domains: strList(
    [],
    'Per-domain overrides for mail to that domain\'s accounts: "domain:key=value,key=value" with keys junkScore, rejectScore (integers) and fileIntoJunk (true/false), e.g. ["example.com:junkScore=6,rejectScore=0"]. A user\'s own settings (allow/block lists, junk score) override these.',
    checkDomainPolicies,
  ),
  keepVerdicts: int(1000, "Recent verdicts (score, action, signals) kept for the admin page.", {
    min: 0,
    max: 1_000_000,
  }),
  maxScanBytes: int(
    256 * 1024,
    "Octets of text (plain and HTML parts) decoded and looked at per message; the rest is not scored, so a large message costs what its first part does.",
    { min: 1024, max: 64 * 1024 * 1024 },
  ),
  tokenCacheEntries: int(
    200_000,
    "Token counts of the classifier's models kept in memory across messages (known and unknown tokens, about 75 bytes each: 15 MB at the default), so most of a message's tokens are not looked up in the database; dropped whenever any training changes a model. 0: no cache.",
    { min: 0, max: 10_000_000 },
  ),
  sourceTimeoutMs: int(
    5000,
    "Longest the filter waits for the other signal sources (rspamd, URI lists) asked in parallel; a late source counts as no signals.",
    { min: 10, max: 120000 },
  ),
  // Expiry of the models' tokens (src/spam/training/expiry.ts). A token row costs ~43 octets on
  // SQLite, ~117 on PostgreSQL, indexes included (docs/ARCHITECTURE.md, "Spam state: token
  // expiry"); the corpus's whole vocabulary is 75,000 tokens.
  maxTokensGlobal: int(
    1_000_000,
    "Most token rows kept in the global model (everyone's training); an hourly sweep removes the least useful beyond it: those trained least recently, each doubling of a token's count worth 30 more days (so hapaxes go first). About 45 MB on SQLite, 120 MB on PostgreSQL at the default: 13 times the vocabulary of the SpamAssassin public corpus. 0: no limit.",
    { min: 0, max: 1_000_000_000 },
  ),
  maxTokensPerUser: int(
    150_000,
    "Most token rows kept in each user's own model (added to the global one when their mail is scored), expired as maxTokensGlobal: SpamAssassin's bayes_expiry_max_db_size, a few thousand trained messages' vocabulary; about 7 MB on SQLite, 18 MB on PostgreSQL per user at the cap. 0: no limit.",
    { min: 0, max: 1_000_000_000 },
  ),
  // Training from users' actions (src/spam/training/trainer.ts). Here rather than spread from
  // training/config.ts: a config section imports only the dsl (npm run lint:cycles).
  trainQueue: int(
    1000,
    "Messages moved into or out of Junk (or marked $Junk/$NotJunk) waiting to train the classifier; beyond this many the rest are not trained (logged): training is best-effort and never holds up mail.",
    { min: 1, max: 1_000_000 },
  ),
};
