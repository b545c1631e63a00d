// Pieces shared by the login's enrolment step and the settings page: the TOTP QR code (an inline
// SVG made here, so no image request and nothing sent elsewhere) with the secret typed out for
// apps that cannot scan, and the recovery codes shown once.
import QRCode from "qrcode";
import { html, SafeHtml } from "./html.js";

export async function totpEnrolmentHtml(t: { secret: string; uri: string }): Promise<SafeHtml> {
  // Medium error correction: a phone's camera reads it from a screen easily at this size.
  const svg = await QRCode.toString(t.uri, { type: "svg", errorCorrectionLevel: "M", margin: 2, width: 220 });
  return html`<p>Scan this QR code with an authenticator app (Aegis, FreeOTP, Google Authenticator,
1Password, …), then type the 6-digit code it shows.</p>
<figure class="qr" aria-label="QR code for the authenticator app">${new SafeHtml(svg)}</figure>
<p>Or type this key into the app: <code class="totp-secret">${t.secret.replace(/(.{4})/g, "$1 ").trim()}</code></p>`;
}

export function recoveryCodesHtml(codes: string[]): SafeHtml {
  return html`<p><strong>Your recovery codes.</strong> Keep them somewhere safe (printed, or in a password
manager): each logs you in once if you lose your phone or passkey. They are shown only now.</p>
<ul class="recovery-codes">${codes.map((c) => html`<li><code>${c}</code></li>`)}</ul>`;
}
