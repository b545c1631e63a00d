// JMAP over HTTP (RFC 8620 2, 3.1, 6.1-6.2, 7.3) on node:http: the Session resource, the API
// endpoint, upload, download and EventSource. Authentication: Basic with the account's
// password (through ctx.auth, so throttling applies) or a Bearer token from TokenStore. Basic
// is accepted only over TLS or from a loopback address (the password would otherwise cross the
// network in clear). Returns false when the path is not JMAP's, so the caller can route on.
import type { IncomingMessage, ServerResponse } from "node:http";
import { TLSSocket } from "node:tls";
import { credentialStamp } from "../../auth/credential.js";
import { readBodyLimited } from "../../http/request.js";
import { clientAddress, clientPort } from "../../proxy/peer.js";
import type { AppContext } from "../../server/context.js";
import { StoreError } from "../../store/errors.js";
import type { Account } from "../../store/types.js";
import { readBlob } from "../blob/resolve.js";
import { JmapRequestError } from "../core/errors.js";
import { parseAccountId } from "../core/ids.js";
import { handleJmapRequest, jmapServices } from "../index.js";
import { runEventSource } from "../push/eventsource.js";
import { buildSession, JMAP_PATHS } from "../session.js";
import { TokenStore } from "./tokens.js";

export interface JmapHttpOptions {
  /** Where clients reach us, for the Session's URLs; default: from the Host header and TLS. */
  baseUrl?: string;
  tokens?: TokenStore;
}

export type JmapHttpHandler = ((req: IncomingMessage, res: ServerResponse) => Promise<boolean>) & {
  tokens: TokenStore;
};

const isLoopback = (ip: string) => ip === "127.0.0.1" || ip === "::1" || ip === "::ffff:127.0.0.1";

function send(res: ServerResponse, status: number, body: unknown, type = "application/json"): void {
  const data = Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  res.writeHead(status, { "Content-Type": type, "Content-Length": data.length, "Cache-Control": "no-store" });
  res.end(data);
}

function problem(res: ServerResponse, e: JmapRequestError): void {
  send(res, e.status, e.toJSON(), "application/problem+json");
}

export function createJmapHttpHandler(ctx: AppContext, opts: JmapHttpOptions = {}): JmapHttpHandler {
  const services = jmapServices(ctx);
  const tokens =
    opts.tokens ??
    new TokenStore(ctx.store.webSessions, {
      ttlMs: services.limits.tokenTtlSec * 1000,
      idleMs: services.limits.tokenIdleSec * 1000,
      maxTokens: services.limits.maxTokens,
      maxPerAccount: ctx.config.jmap.maxTokensPerAccount,
    });
  const active = new Map<number, number>(); // account → requests in flight
  const streams = new Map<number, number>();
  // Open push streams' account checks, by account: run at once when the store reports a change
  // that can end a login (a disable, a password change, a revoked app password), so a stream
  // ends within a second, not at its next periodic check. Subscribed while any stream is open.
  const pushChecks = new Map<number, Set<() => void>>();
  let stopWatching: (() => void) | null = null;
  const watchPush = (accountId: number, check: () => void): (() => void) => {
    const set = pushChecks.get(accountId) ?? new Set<() => void>();
    pushChecks.set(accountId, set);
    set.add(check);
    stopWatching ??= ctx.store.webSessions.onLoginChange((id) => {
      for (const c of pushChecks.get(id) ?? []) c();
    });
    return () => {
      set.delete(check);
      if (set.size === 0) pushChecks.delete(accountId);
      if (pushChecks.size === 0 && stopWatching) {
        stopWatching();
        stopWatching = null;
      }
    };
  };

  /** The request's account and, for Basic authentication with an app password, its id. */
  const authenticate = async (
    req: IncomingMessage,
  ): Promise<{ account: Account; appPasswordId?: number } | { refused: string } | null> => {
    const h = req.headers.authorization ?? "";
    const secure = req.socket instanceof TLSSocket;
    const ip = clientAddress(req.socket);
    // A token ends with a password change or a disabled account (tokens.ts). Tokens come from
    // the webmail login, with the account password.
    if (/^Bearer /i.test(h)) {
      const account = await tokens.account(h.slice(7).trim(), ctx.store.directory);
      return account ? { account } : null;
    }
    if (!/^Basic /i.test(h) || !(secure || isLoopback(ip))) return null;
    const decoded = Buffer.from(h.slice(6).trim(), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return null;
    // A disabled account is refused here like a wrong password (auth/service.ts). "jmap": an app
    // password with the jmap scope is accepted too (auth/app-passwords.ts).
    const r = await ctx.auth.authenticate({
      username: decoded.slice(0, colon),
      password: decoded.slice(colon + 1),
      ip,
      protocol: "jmap",
    });
    if (!r.ok) {
      // The password was right but the account has two-factor login (auth/2fa/): say so.
      if (r.reason === "app-password-required")
        return { refused: "Two-factor authentication is on: use an app password" };
      return null;
    }
    return r.appPassword ? { account: r.account, appPasswordId: r.appPassword.id } : { account: r.account };
  };

  const baseUrl = (req: IncomingMessage) => {
    if (opts.baseUrl) return opts.baseUrl;
    const scheme = req.socket instanceof TLSSocket ? "https" : "http";
    const host = (req.headers.host ?? "").replace(/[^A-Za-z0-9.:[\]-]/g, "");
    return `${scheme}://${host}`;
  };

  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? "/", "http://x.invalid");
    const path = url.pathname;
    const isOurs =
      path === JMAP_PATHS.session ||
      path === JMAP_PATHS.api ||
      path === JMAP_PATHS.eventSource ||
      path.startsWith(JMAP_PATHS.upload) ||
      path.startsWith(JMAP_PATHS.download);
    if (!isOurs) return false;
    const login = await authenticate(req);
    if (!login || "refused" in login) {
      const challenge = { "WWW-Authenticate": 'Basic realm="jmap", charset="UTF-8"' };
      // With a reason: RFC 7807 problem details, as JMAP's request-level errors (RFC 8620 §3.6.1).
      const data = login
        ? Buffer.from(JSON.stringify({ type: "about:blank", status: 401, detail: login.refused }))
        : Buffer.alloc(0);
      res.writeHead(401, {
        ...challenge,
        ...(login ? { "Content-Type": "application/problem+json" } : {}),
        "Content-Length": data.length,
      });
      res.end(data);
      return true;
    }
    const { account, appPasswordId } = login;
    const appPasswordLogin = appPasswordId !== undefined;
    const method = req.method ?? "GET";
    try {
      if (path === JMAP_PATHS.session && method === "GET") {
        send(
          res,
          200,
          buildSession(account, {
            limits: services.limits,
            baseUrl: baseUrl(req),
            spam: ctx.config.spam.enabled,
            appPasswords: !appPasswordLogin,
            sieve: ctx.config.sieve.enabled,
            sieveLimits: ctx.config.sieve,
          }),
        );
      } else if (path === JMAP_PATHS.api && method === "POST") {
        // Named by the event-loop monitor if it blocks the loop (server/activity.ts).
        const activity = ctx.activity.begin({
          proto: "jmap",
          ip: clientAddress(req.socket),
          conn: clientPort(req.socket),
          command: "POST /jmap/api",
          account: account.address,
        });
        try {
          await api(req, res, account, appPasswordLogin);
        } finally {
          ctx.activity.end(activity);
        }
      } else if (path.startsWith(JMAP_PATHS.upload) && method === "POST") {
        await upload(req, res, account, path.slice(JMAP_PATHS.upload.length));
      } else if (path.startsWith(JMAP_PATHS.download) && (method === "GET" || method === "HEAD")) {
        await download(res, account, path.slice(JMAP_PATHS.download.length), url.searchParams);
      } else if (path === JMAP_PATHS.eventSource && method === "GET") {
        await eventSource(req, res, account, url.searchParams, appPasswordId);
      } else {
        send(
          res,
          405,
          { type: "about:blank", status: 405, detail: "method not allowed" },
          "application/problem+json",
        );
      }
    } catch (e) {
      if (e instanceof JmapRequestError) problem(res, e);
      else if (e instanceof StoreError && e.code === "unavailable" && !res.headersSent) {
        // The database is down before any method ran (the login's account lookup): RFC 9110
        // 15.6.4, 503 with Retry-After; the client sends the request again.
        ctx.log.warn("jmap http request: store unavailable", { err: e.message });
        res.setHeader("Retry-After", "5");
        send(
          res,
          503,
          { type: "about:blank", status: 503, detail: "mail store temporarily unavailable" },
          "application/problem+json",
        );
      } else {
        ctx.log.error("jmap http request failed", { error: e });
        if (!res.headersSent) send(res, 500, { type: "about:blank", status: 500, detail: "internal error" });
        else res.destroy();
      }
    }
    return true;
  };

  const api = async (
    req: IncomingMessage,
    res: ServerResponse,
    account: Account,
    appPasswordLogin: boolean,
  ) => {
    const inFlight = active.get(account.id) ?? 0;
    if (inFlight >= services.limits.maxConcurrentRequests) {
      throw new JmapRequestError("limit", 429, "too many concurrent requests", "maxConcurrentRequests");
    }
    active.set(account.id, inFlight + 1);
    try {
      const body = await readBodyLimited(req, services.limits.maxSizeRequest);
      if (body === null) throw new JmapRequestError("limit", 413, "request too large", "maxSizeRequest");
      let json: unknown;
      try {
        json = JSON.parse(body.toString("utf8"));
      } catch {
        throw new JmapRequestError("notJSON", 400, "the request body is not JSON");
      }
      send(res, 200, await handleJmapRequest(ctx, account.id, json, { appPasswordLogin }));
    } finally {
      const n = (active.get(account.id) ?? 1) - 1;
      if (n <= 0) active.delete(account.id);
      else active.set(account.id, n);
    }
  };

  const upload = async (req: IncomingMessage, res: ServerResponse, account: Account, rest: string) => {
    const id = parseAccountId(rest.replace(/\/$/, ""));
    if (id !== account.id) {
      send(
        res,
        404,
        { type: "about:blank", status: 404, detail: "no such account" },
        "application/problem+json",
      );
      return;
    }
    const body = await readBodyLimited(req, services.limits.maxSizeUpload);
    if (body === null) throw new JmapRequestError("limit", 413, "upload too large", "maxSizeUpload");
    const type = (req.headers["content-type"] ?? "application/octet-stream").split(";")[0]!.trim();
    const r = await services.uploads.put(account.id, body, type);
    if (!r) throw new JmapRequestError("limit", 413, "too much pending upload data", "uploadQuotaBytes");
    send(res, 201, { accountId: `A${account.id}`, blobId: r.blobId, type: r.type, size: r.size });
  };

  const download = async (res: ServerResponse, account: Account, rest: string, q: URLSearchParams) => {
    // RFC 8620 6.2: the URL template's variables are percent-encoded; a malformed escape is the
    // client's error (400), not ours (decodeURIComponent throws URIError).
    let parts: string[];
    try {
      parts = rest.split("/").map((s) => decodeURIComponent(s));
    } catch {
      send(
        res,
        400,
        { type: "about:blank", status: 400, detail: "malformed percent-encoding in the download URL" },
        "application/problem+json",
      );
      return;
    }
    const [acc, blobId, name] = parts;
    if (parseAccountId(acc) !== account.id || !blobId) {
      send(res, 404, { type: "about:blank", status: 404, detail: "not found" }, "application/problem+json");
      return;
    }
    const blob = await readBlob(services, account, blobId);
    if (!blob) {
      send(
        res,
        404,
        { type: "about:blank", status: 404, detail: "blob not found" },
        "application/problem+json",
      );
      return;
    }
    const accept = q.get("accept");
    const type = accept && /^[\w.+-]+\/[\w.+-]+$/.test(accept) ? accept : blob.type;
    const safeName = (name ?? "blob").replace(/["\\\r\n]/g, "_");
    res.writeHead(200, {
      "Content-Type": type,
      "Content-Length": blob.data.length,
      "Content-Disposition": `attachment; filename*=UTF-8''${encodeURIComponent(safeName)}`,
      "Cache-Control": "private, immutable, max-age=31536000",
    });
    res.end(blob.data);
  };

  const eventSource = async (
    req: IncomingMessage,
    res: ServerResponse,
    account: Account,
    q: URLSearchParams,
    appPasswordId: number | undefined,
  ) => {
    const open = streams.get(account.id) ?? 0;
    if (open >= services.limits.maxEventSources) {
      throw new JmapRequestError("limit", 429, "too many push connections", "maxEventSources");
    }
    const types = q.get("types") ?? "*";
    const ping = Number(q.get("ping") ?? "0");
    streams.set(account.id, open + 1);
    // The stream outlives the request that authorized it: a password change or a disable since
    // (tokens.ts, auth/credential.ts), or the revocation of the app password it was opened
    // with (auth/app-passwords.ts), closes it at the next check.
    const stamp = credentialStamp(account.passwordHash);
    let recheck: NodeJS.Timeout | null = null;
    let unwatch: (() => void) | null = null;
    res.writeHead(200, {
      "Content-Type": "text/event-stream",
      "Cache-Control": "no-store",
      Connection: "keep-alive",
    });
    let released = false;
    const close = await runEventSource(
      services,
      account.id,
      {
        types: types === "*" ? "all" : new Set(types.split(",")),
        closeAfterState: q.get("closeafter") === "state",
        pingSec: Number.isSafeInteger(ping) && ping > 0 ? Math.min(ping, services.limits.pushPingMaxSec) : 0,
      },
      {
        write: (c) => res.write(c),
        end: () => {
          if (recheck) clearInterval(recheck);
          unwatch?.();
          if (!released) {
            released = true;
            const n = (streams.get(account.id) ?? 1) - 1;
            if (n <= 0) streams.delete(account.id);
            else streams.set(account.id, n);
          }
          res.end();
        },
        onClose: (fn) => req.socket.once("close", fn),
      },
    );
    if (released) return; // closed already (the client went, or closeafter=state)
    const check = () => {
      if (req.socket.destroyed) return close(); // gone before the stream saw its close event
      const revoked = async () =>
        appPasswordId !== undefined && (await ctx.store.appPasswords.get(account.id, appPasswordId)) === null;
      (async () => {
        const a = await ctx.store.directory.getAccount(account.id);
        if (!a || a.disabled || credentialStamp(a.passwordHash) !== stamp || (await revoked())) close();
      })().catch((err: unknown) => ctx.log.warn("push stream account check failed", { err }));
    };
    unwatch = watchPush(account.id, check);
    recheck = setInterval(check, services.limits.pushRecheckSec * 1000);
    recheck.unref();
  };

  return Object.assign(handler, { tokens });
}
