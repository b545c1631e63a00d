// Every failure becomes a response here, in one place: HttpError renders its status and message;
// anything else is our fault, logged, and shown as a bare 500 (no stack to the client).
import type { Logger } from "../log/logger.js";
import { StoreError } from "../store/errors.js";
import { html } from "./html.js";
import { HttpError, type HttpResponse, htmlResponse } from "./response.js";

/** What a 503 for a database outage asks the client to wait: a PostgreSQL restart or failover
 *  takes seconds. */
const UNAVAILABLE_RETRY_AFTER_SEC = 5;

export function errorResponse(e: unknown, log: Logger): HttpResponse {
  if (e instanceof HttpError) {
    const res = htmlResponse(errorPage(e.status, e.message), e.status);
    return { ...res, headers: { ...res.headers, ...e.headers } };
  }
  // The database is down (PostgreSQL restarting): RFC 9110 15.6.4, 503 with Retry-After, a
  // temporary condition, not our bug.
  if (e instanceof StoreError && e.code === "unavailable") {
    log.warn("http: store unavailable", { err: e.message });
    const res = htmlResponse(
      errorPage(503, "The mail store is temporarily unavailable. Try again in a moment."),
      503,
    );
    return { ...res, headers: { ...res.headers, "Retry-After": String(UNAVAILABLE_RETRY_AFTER_SEC) } };
  }
  log.error("http handler failed", { err: e instanceof Error ? e.message : String(e) });
  return htmlResponse(errorPage(500, "Internal error."), 500);
}

function errorPage(status: number, message: string) {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${status}</title>
<link rel="stylesheet" href="/static/yubin.css"></head>
<body><main><h1>${status}</h1><p class="error">${message}</p><p><a href="/">Home</a></p></main></body></html>`;
}
