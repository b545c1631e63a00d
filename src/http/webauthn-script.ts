// The one script of the server-rendered pages: passkeys (WebAuthn) need navigator.credentials,
// which only a script can call. Served from our origin (the pages that use it allow
// script-src 'self' and nothing else; no inline script). A form marked data-webauthn="create" or
// "get" names, in data-options, a <script type="application/json"> element holding the options
// the server made; on submit the script asks the browser, puts the answer (JSON, WebAuthn L3
// §5.1.8 toJSON) in the form's hidden "credential" field and submits it. Options are parsed with
// PublicKeyCredential.parse*OptionsFromJSON where the browser has it, else by hand.

import type { Router } from "./router.js";
import { CONTENT_SECURITY_POLICY } from "./security-headers.js";

export const WEBAUTHN_SCRIPT_PATH = "/static/webauthn.js";
/** CSP of a page that loads the script: the usual one plus our own scripts. */
export const WEBAUTHN_PAGE_CSP = `${CONTENT_SECURITY_POLICY}; script-src 'self'`;

const SCRIPT = `"use strict";
(() => {
  const fromB64 = (s) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0)).buffer;
  const toB64 = (b) => btoa(String.fromCharCode(...new Uint8Array(b))).replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
  const PKC = window.PublicKeyCredential;
  const creation = (o) => PKC.parseCreationOptionsFromJSON ? PKC.parseCreationOptionsFromJSON(o) : {
    ...o, challenge: fromB64(o.challenge), user: { ...o.user, id: fromB64(o.user.id) },
    excludeCredentials: (o.excludeCredentials || []).map((c) => ({ ...c, id: fromB64(c.id) })) };
  const request = (o) => PKC.parseRequestOptionsFromJSON ? PKC.parseRequestOptionsFromJSON(o) : {
    ...o, challenge: fromB64(o.challenge),
    allowCredentials: (o.allowCredentials || []).map((c) => ({ ...c, id: fromB64(c.id) })) };
  const json = (c) => {
    if (typeof c.toJSON === "function") return c.toJSON();
    const r = c.response, out = { id: c.id, rawId: toB64(c.rawId), type: c.type,
      authenticatorAttachment: c.authenticatorAttachment, clientExtensionResults: c.getClientExtensionResults(),
      response: { clientDataJSON: toB64(r.clientDataJSON) } };
    if (r.attestationObject) { out.response.attestationObject = toB64(r.attestationObject);
      out.response.transports = r.getTransports ? r.getTransports() : []; }
    else { out.response.authenticatorData = toB64(r.authenticatorData); out.response.signature = toB64(r.signature);
      out.response.userHandle = r.userHandle ? toB64(r.userHandle) : undefined; }
    return out;
  };
  for (const form of document.querySelectorAll("form[data-webauthn]")) {
    const status = form.querySelector(".webauthn-status");
    if (!PKC) { if (status) status.textContent = "This browser does not support passkeys."; continue; }
    form.addEventListener("submit", async (ev) => {
      if (form.dataset.ready === "1") return;
      ev.preventDefault();
      const options = JSON.parse(document.getElementById(form.dataset.options).textContent);
      try {
        const c = form.dataset.webauthn === "create"
          ? await navigator.credentials.create({ publicKey: creation(options) })
          : await navigator.credentials.get({ publicKey: request(options) });
        form.elements.credential.value = JSON.stringify(json(c));
        form.dataset.ready = "1";
        form.submit();
      } catch (e) {
        if (status) status.textContent = "The passkey was not used: " + (e && e.message ? e.message : e);
      }
    });
  }
})();
`;

export function registerWebauthnScript(router: Router): void {
  router.add({
    method: "GET",
    path: WEBAUTHN_SCRIPT_PATH,
    access: "public",
    handler: async () => ({
      status: 200,
      headers: { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "public, max-age=3600" },
      body: SCRIPT,
    }),
  });
}
