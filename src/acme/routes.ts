// HTTP-01 (RFC 8555 8.3): the CA fetches http://NAME/.well-known/acme-challenge/TOKEN on port
// 80 and expects the key authorization as the body. Served on plain HTTP (the CA does not follow
// our redirect to HTTPS for it: a route marked plainHttp is answered before the redirect).
import { HttpError, type HttpResponse } from "../http/response.js";
import type { RequestContext, Router } from "../http/router.js";

export function registerAcmeRoutes(router: Router): void {
  router.add({
    method: "GET",
    path: "/.well-known/acme-challenge/:token",
    access: "public",
    plainHttp: true,
    handler: answer,
  });
}

async function answer(rc: RequestContext): Promise<HttpResponse> {
  const body = rc.app.ctx.acme?.httpAnswer(rc.params.token ?? "") ?? null;
  if (body === null) throw new HttpError(404, "Not found.");
  return {
    status: 200,
    headers: { "Content-Type": "application/octet-stream", "Cache-Control": "no-store" },
    body,
  };
}
