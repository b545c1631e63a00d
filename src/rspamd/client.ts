// A client for rspamd's HTTP scan protocol (rspamd.com/doc/developers/protocol.html): POST
// /checkv2 with the raw message as the body and the envelope in request headers (Ip, Helo, From,
// one Rcpt per recipient, Queue-Id, User for an authenticated sender, Password when set), and a
// JSON answer: score, required_score, action and the symbols that fired, each with its score.
// We do not send "Pass: all": it makes rspamd run every rule even where its own settings would
// skip some (e.g. for authenticated users), which is the rspamd admin's call, not ours.
// Every failure (refused, timeout, an HTTP error, an answer too large or not rspamd's JSON) is a
// typed "error" result, never a throw: the caller turns it into a 0-score signal.
import http from "node:http";
import https from "node:https";

export interface RspamdServer {
  /** Base URL, e.g. "http://127.0.0.1:11333"; "/checkv2" is appended. */
  url: string;
  timeoutMs: number;
  /** Sent as the Password header when non-empty. */
  password: string;
}

/** The envelope as rspamd's request headers carry it. */
export interface CheckRequest {
  body: Buffer;
  ip: string | null;
  helo: string | null;
  /** Envelope sender; "" (the null sender) is not sent: rspamd then takes it as empty. */
  mailFrom: string;
  rcpt: readonly string[];
  queueId: string;
  /** The authenticated sender, when there is one (rspamd then skips checks meant for strangers). */
  user: string | null;
}

export interface RspamdSymbol {
  name: string;
  score: number;
  description: string;
}

export type CheckResult =
  | {
      kind: "ok";
      score: number;
      requiredScore: number | null;
      action: string;
      /** rspamd chose not to scan it (its settings); the score is then 0. */
      skipped: boolean;
      symbols: RspamdSymbol[];
    }
  | { kind: "error"; detail: string };

/** rspamd's answer is a few KiB (one entry per symbol); more than this is not rspamd. */
export const maxResponseBytes = 1024 * 1024;

/** The /checkv2 endpoint under a base URL; null when the URL is not http(s). */
export function checkUrl(base: string): URL | null {
  let u: URL;
  try {
    u = new URL(base);
  } catch {
    return null;
  }
  if (u.protocol !== "http:" && u.protocol !== "https:") return null;
  let path = u.pathname;
  while (path.endsWith("/")) path = path.slice(0, -1);
  u.pathname = `${path}/checkv2`;
  return u;
}

/** Asks rspamd about one message. Resolves within server.timeoutMs; never rejects. */
export function checkMessage(server: RspamdServer, req: CheckRequest): Promise<CheckResult> {
  const url = checkUrl(server.url);
  if (!url) return Promise.resolve({ kind: "error", detail: `not an http(s) URL: ${server.url}` });
  return new Promise<CheckResult>((resolve) => {
    let done = false;
    const finish = (r: CheckResult) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve(r);
    };
    const timer = setTimeout(() => {
      finish({ kind: "error", detail: `no answer in ${server.timeoutMs} ms (rspamd.timeoutMs)` });
      request.destroy();
    }, server.timeoutMs);
    const request = (url.protocol === "https:" ? https : http).request(url, {
      method: "POST",
      headers: requestHeaders(server, req),
    });
    request.on("error", (e) => finish({ kind: "error", detail: e.message }));
    request.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (c: Buffer) => {
        size += c.length;
        if (size > maxResponseBytes) {
          finish({ kind: "error", detail: `answer larger than ${maxResponseBytes} octets` });
          request.destroy();
          return;
        }
        chunks.push(c);
      });
      res.on("error", (e) => finish({ kind: "error", detail: e.message }));
      res.on("close", () => finish({ kind: "error", detail: "connection closed before the answer ended" }));
      res.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        if (res.statusCode !== 200) {
          finish({ kind: "error", detail: `HTTP ${res.statusCode}: ${errorText(text)}` });
          return;
        }
        finish(parseAnswer(text));
      });
    });
    request.end(req.body);
  });
}

function requestHeaders(server: RspamdServer, req: CheckRequest): Record<string, string | string[]> {
  const h: Record<string, string | string[]> = {
    "Content-Length": String(req.body.length),
    "Queue-Id": headerValue(req.queueId),
  };
  if (req.ip) h.Ip = headerValue(req.ip);
  if (req.helo) h.Helo = headerValue(req.helo);
  if (req.mailFrom) h.From = headerValue(req.mailFrom);
  if (req.rcpt.length > 0) h.Rcpt = req.rcpt.map(headerValue);
  if (req.user) h.User = headerValue(req.user);
  if (server.password) h.Password = headerValue(server.password);
  return h;
}

/** Node writes header strings as latin1 and refuses control characters: UTF-8 addresses
 *  (RFC 6531) go out as their UTF-8 octets, and a control character (which no envelope we
 *  accepted holds, but a header must never be split) becomes a space. */
function headerValue(v: string): string {
  let clean = "";
  for (const ch of v) clean += ch < " " || ch === "\x7f" ? " " : ch;
  return Buffer.from(clean, "utf8").toString("latin1");
}

/** rspamd's error answers are JSON {"error": "..."}; anything else is shown cut short. */
function errorText(text: string): string {
  try {
    const j = JSON.parse(text) as { error?: unknown };
    if (typeof j.error === "string") return j.error.slice(0, 200);
  } catch {
    // not JSON: show the text itself
  }
  return text.slice(0, 200) || "no body";
}

/** The /checkv2 JSON answer (rspamd ≥ 2.0: symbols keyed by name, each with name/score). */
export function parseAnswer(text: string): CheckResult {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    return { kind: "error", detail: "answer is not JSON" };
  }
  if (typeof j !== "object" || j === null) return { kind: "error", detail: "answer is not a JSON object" };
  const o = j as Record<string, unknown>;
  if (typeof o.error === "string") return { kind: "error", detail: o.error.slice(0, 200) };
  if (typeof o.score !== "number" || !Number.isFinite(o.score))
    return { kind: "error", detail: "answer has no score" };
  const symbols: RspamdSymbol[] = [];
  if (typeof o.symbols === "object" && o.symbols !== null) {
    for (const [key, v] of Object.entries(o.symbols as Record<string, unknown>)) {
      if (typeof v !== "object" || v === null) continue;
      const s = v as Record<string, unknown>;
      const score = typeof s.score === "number" && Number.isFinite(s.score) ? s.score : 0;
      const name = typeof s.name === "string" ? s.name : key;
      symbols.push({ name, score, description: typeof s.description === "string" ? s.description : "" });
    }
  }
  return {
    kind: "ok",
    score: o.score,
    requiredScore: typeof o.required_score === "number" ? o.required_score : null,
    action: typeof o.action === "string" ? o.action : "",
    skipped: o.is_skipped === true,
    symbols,
  };
}
