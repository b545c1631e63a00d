// The WebAuthn relying party of a request: its RP ID is auth.webauthnRpId, or the host name the
// page was loaded from (WebAuthn §5.1.3: the RP ID must be that host or a registrable suffix of
// it, which the browser checks); the origin is that of the page (scheme, host, port), which the
// server checks in clientDataJSON (§7.1 step 9).
import type { RelyingParty } from "../auth/2fa/webauthn.js";
import { hostWithoutPort } from "./request.js";
import type { RequestContext } from "./router.js";

export function relyingParty(rc: RequestContext): RelyingParty {
  return relyingPartyFor(rc.app.ctx.config.auth.webauthnRpId, rc.req.headers.host ?? rc.req.host);
}

/** The same from the configured RP ID and the request's Host header (host[:port]). */
export function relyingPartyFor(configuredRpId: string, hostHeader: string): RelyingParty {
  const host = hostWithoutPort(hostHeader).replace(/^\[|\]$/g, "");
  return {
    id: configuredRpId !== "" ? configuredRpId : host,
    origin: `https://${hostHeader}`,
    name: "Yubin",
  };
}
