// Every failure becomes a response here, in one place: HttpError renders its status and message;
// anything else is our fault, logged, and shown as a bare 500 (no stack to the client).
import type { Logger } from "../log/logger.js";
import { html } from "./html.js";
import { HttpError, type HttpResponse, htmlResponse } from "./response.js";

export function errorResponse(e: unknown, log: Logger): HttpResponse {
  if (e instanceof HttpError) {
    const res = htmlResponse(errorPage(e.status, e.message), e.status);
    return { ...res, headers: { ...res.headers, ...e.headers } };
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
