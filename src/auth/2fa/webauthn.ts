// Passkeys and security keys (WebAuthn Level 3) through @simplewebauthn/server: the options a
// page hands to navigator.credentials.create()/get(), and the checks of what comes back
// (challenge, origin, RP ID, signature, counter). No attestation is asked for ("none"): we trust
// the credential's key, not its maker, as for any password manager's passkey.

import type { AuthenticationResponseJSON, RegistrationResponseJSON } from "@simplewebauthn/server";
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
} from "@simplewebauthn/server";
import type { WebAuthnCredential } from "../../store/types.js";

/** Where the page was loaded from: the RP ID (a domain, WebAuthn §5.4.2) and the origin. */
export interface RelyingParty {
  id: string;
  origin: string;
  name: string;
}

const TIMEOUT_MS = 120_000;
/** Longest JSON a browser may send back (an attestation with a certificate chain is a few KB). */
export const MAX_WEBAUTHN_JSON = 16_384;

export async function registrationOptions(o: {
  rp: RelyingParty;
  accountId: number;
  address: string;
  existing: WebAuthnCredential[];
}) {
  return generateRegistrationOptions({
    rpName: o.rp.name,
    rpID: o.rp.id,
    userName: o.address,
    // The user handle (WebAuthn §5.4.3) must not be personal data: the account id, as bytes.
    userID: new TextEncoder().encode(`yubin:${o.accountId}`),
    timeout: TIMEOUT_MS,
    attestationType: "none",
    excludeCredentials: o.existing.map((c) => ({ id: c.id, transports: c.transports })),
    authenticatorSelection: { residentKey: "preferred", userVerification: "preferred" },
  });
}

export async function authenticationOptions(o: { rp: RelyingParty; credentials: WebAuthnCredential[] }) {
  return generateAuthenticationOptions({
    rpID: o.rp.id,
    timeout: TIMEOUT_MS,
    allowCredentials: o.credentials.map((c) => ({ id: c.id, transports: c.transports })),
    userVerification: "preferred",
  });
}

/** Parses the JSON the page posted; null if it is not JSON of the expected shape. */
export function parseCredentialJson<T extends RegistrationResponseJSON | AuthenticationResponseJSON>(
  raw: string,
): T | null {
  if (raw.length === 0 || raw.length > MAX_WEBAUTHN_JSON) return null;
  try {
    const v = JSON.parse(raw) as Partial<T>;
    if (typeof v !== "object" || v === null || typeof v.id !== "string" || typeof v.response !== "object")
      return null;
    return v as T;
  } catch {
    return null;
  }
}

/** The new credential if the browser's answer checks out against `challenge`, else null. */
export async function verifyRegistration(o: {
  rp: RelyingParty;
  challenge: string;
  response: RegistrationResponseJSON;
}): Promise<{ id: string; publicKey: Uint8Array; counter: number; transports: string[] } | null> {
  try {
    const v = await verifyRegistrationResponse({
      response: o.response,
      expectedChallenge: o.challenge,
      expectedOrigin: o.rp.origin,
      expectedRPID: o.rp.id,
      requireUserVerification: false,
    });
    if (!v.verified) return null;
    const c = v.registrationInfo.credential;
    return { id: c.id, publicKey: c.publicKey, counter: c.counter, transports: c.transports ?? [] };
  } catch {
    return null;
  }
}

/** The credential's new counter if the assertion checks out, else null. */
export async function verifyAuthentication(o: {
  rp: RelyingParty;
  challenge: string;
  response: AuthenticationResponseJSON;
  credential: WebAuthnCredential;
}): Promise<number | null> {
  try {
    const v = await verifyAuthenticationResponse({
      response: o.response,
      expectedChallenge: o.challenge,
      expectedOrigin: o.rp.origin,
      expectedRPID: o.rp.id,
      credential: {
        id: o.credential.id,
        publicKey: new Uint8Array(o.credential.publicKey),
        counter: o.credential.counter,
      },
      requireUserVerification: false,
    });
    return v.verified ? v.authenticationInfo.newCounter : null;
  } catch {
    return null;
  }
}
