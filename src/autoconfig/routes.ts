// Zero-touch client setup over HTTP:
//   GET  /mail/config-v1.1.xml                     (Host: autoconfig.DOMAIN)   Thunderbird
//   GET  /.well-known/autoconfig/mail/config-v1.1.xml   (Host: DOMAIN)         Thunderbird
//   POST /autodiscover/autodiscover.xml            (any case)                  Outlook POX
//   GET  /settings, /settings/mail.mobileconfig    (logged in)                 Apple profile
// The public documents are served on plain HTTP too: Thunderbird falls back to http:// when the
// https:// URL fails (for example a certificate without autoconfig.DOMAIN), and they hold
// nothing secret. They answer only for domains we host.

import { HttpError, type HttpResponse, xmlResponse } from "../http/response.js";
import type { RequestContext, Router } from "../http/router.js";
import { autodiscoverError, autodiscoverResponse, parseAutodiscoverRequest } from "./autodiscover.js";
import { clientEndpoints, displayNameFor, domainOf } from "./endpoints.js";
import { registerSettingsRoutes } from "./settings-page.js";
import { THUNDERBIRD_CONTENT_TYPE, thunderbirdConfig } from "./thunderbird.js";

export const THUNDERBIRD_PATHS = ["/mail/config-v1.1.xml", "/.well-known/autoconfig/mail/config-v1.1.xml"];
export const AUTODISCOVER_PATH = "/autodiscover/autodiscover.xml";

export function registerAutoconfigRoutes(router: Router): void {
  for (const path of THUNDERBIRD_PATHS)
    router.add({ method: "GET", path, access: "public", plainHttp: true, handler: thunderbird });
  router.add({
    method: "POST",
    path: AUTODISCOVER_PATH,
    access: "public",
    plainHttp: true,
    caseInsensitive: true,
    csrf: "none",
    handler: autodiscover,
  });
  registerSettingsRoutes(router);
}

/** The hosted domain a Thunderbird request is about: from ?emailaddress=, else the Host
 *  (autoconfig.DOMAIN or DOMAIN). Null if we do not host it. */
async function requestedDomain(rc: RequestContext): Promise<string | null> {
  const email = rc.req.query.get("emailaddress");
  let domain: string | null;
  if (email) domain = domainOf(email);
  else domain = rc.req.host.startsWith("autoconfig.") ? rc.req.host.slice("autoconfig.".length) : rc.req.host;
  if (!domain) return null;
  return (await rc.app.ctx.store.directory.getDomain(domain)) ? domain : null;
}

async function thunderbird(rc: RequestContext): Promise<HttpResponse> {
  const domain = await requestedDomain(rc);
  if (!domain) throw new HttpError(404, "No mail service for this domain here.");
  const ctx = rc.app.ctx;
  const body = thunderbirdConfig(clientEndpoints(ctx.config), {
    domain,
    displayName: displayNameFor(ctx.config, domain),
  });
  return xmlResponse(body, THUNDERBIRD_CONTENT_TYPE);
}

async function autodiscover(rc: RequestContext): Promise<HttpResponse> {
  const ctx = rc.app.ctx;
  const email = parseAutodiscoverRequest(rc.req.body.toString("utf8"));
  const domain = email ? domainOf(email) : null;
  const ours = domain ? await ctx.store.directory.getDomain(domain) : null;
  if (!email || !domain || !ours)
    return xmlResponse(autodiscoverError("No mail service for this address here."));
  return xmlResponse(
    autodiscoverResponse(clientEndpoints(ctx.config), email, displayNameFor(ctx.config, domain)),
  );
}
