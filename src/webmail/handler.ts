// The webmail's server side: the built browser client (assets.ts), its login endpoints
// (session.ts), and the bridge that lets the page use JMAP with its HttpOnly cookie (bridge.ts).
// Mount it before the JMAP handler and the page router:
//   if (await webmail(req, res)) return; if (await jmap(req, res)) return; ...
// It answers "/", "/index.html", "/assets/*", a few top-level build files, "/webmail/*", and
// JMAP paths only for requests that carry the webmail cookie and no Authorization header;
// for anything else it returns false. The page itself holds no credential: the JMAP bearer
// token lives only in the cookie (HttpOnly, Secure, SameSite=Strict, __Host- prefix).
import type { IncomingMessage, ServerResponse } from "node:http";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseCookies } from "../http/cookies.js";
import type { JmapHttpHandler } from "../jmap/http/handler.js";
import { JMAP_PATHS } from "../jmap/session.js";
import type { AppContext } from "../server/context.js";
import { StoreError } from "../store/errors.js";
import { AssetStore } from "./assets.js";
import { bridgeToJmap } from "./bridge.js";
import { CsrfGuard } from "./csrf.js";
import { pageHeaders } from "./headers.js";
import { sendJson, WEBMAIL_COOKIE, webmailApi } from "./session.js";

export interface WebmailOptions {
  /** The JMAP handler: the webmail issues its bearer tokens and forwards the page's calls to it. */
  jmap: JmapHttpHandler;
  /** Where the built client is; default web/dist of this checkout. */
  distDir?: string;
  /** Largest login request body (JSON with user name and password); default 8 KiB. */
  maxLoginBodyBytes?: number;
}

export type WebmailHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

export const DEFAULT_DIST_DIR = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "web", "dist");

const NOT_BUILT = "The webmail is not built. Run: npm run build:web\n";

const isJmapPath = (p: string) =>
  p === JMAP_PATHS.session ||
  p === JMAP_PATHS.api ||
  p === JMAP_PATHS.eventSource ||
  p.startsWith(JMAP_PATHS.upload) ||
  p.startsWith(JMAP_PATHS.download);

export function createWebmailHandler(ctx: AppContext, opts: WebmailOptions): WebmailHandler {
  const assets = new AssetStore(opts.distDir ?? DEFAULT_DIST_DIR);
  const csrf = new CsrfGuard();
  const deps = {
    ctx,
    jmap: opts.jmap,
    csrf,
    maxLoginBodyBytes: opts.maxLoginBodyBytes ?? 8192,
  };

  return async (req, res) => {
    let path: string;
    try {
      path = new URL(req.url ?? "/", "http://x.invalid").pathname;
    } catch {
      return false;
    }
    if (isJmapPath(path)) {
      const token = parseCookies(req.headers.cookie).get(WEBMAIL_COOKIE);
      if (!token || req.headers.authorization !== undefined) return false;
      await bridgeToJmap(req, res, token, deps);
      return true;
    }
    if (path.startsWith("/webmail/")) {
      try {
        await webmailApi(req, res, path, deps);
      } catch (e) {
        if (e instanceof StoreError && e.code === "unavailable" && !res.headersSent) {
          // The database is down: 503 with Retry-After (RFC 9110 15.6.4); the page retries.
          ctx.log.warn("webmail request: store unavailable", { err: e.message });
          res.setHeader("Retry-After", "5");
          sendJson(res, 503, { error: "unavailable" });
          return true;
        }
        ctx.log.error("webmail request failed", { error: e });
        if (!res.headersSent) sendJson(res, 500, { error: "internal" });
        else res.destroy();
      }
      return true;
    }
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const asset = await assets.get(path);
    if (!asset) {
      if (path !== "/" && path !== "/index.html") return false;
      res.writeHead(503, { ...pageHeaders(), "Content-Type": "text/plain; charset=utf-8" });
      res.end(req.method === "HEAD" ? undefined : NOT_BUILT);
      return true;
    }
    res.writeHead(200, {
      ...pageHeaders(),
      "Content-Type": asset.type,
      "Content-Length": asset.body.length,
      "Cache-Control": asset.cacheControl,
    });
    res.end(req.method === "HEAD" ? undefined : asset.body);
    return true;
  };
}
