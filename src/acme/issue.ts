// One certificate order (RFC 8555 7.4) through acme-client: the account (found again by its key),
// the order, one challenge per authorization (the first type in our order of preference that the
// CA offers), finalisation with our CSR, and the chain. acme-client's `auto()` is not used: it
// checks challenges itself through the system's DNS first, and its errors keep only the CA's
// detail text; here every problem document (RFC 8555 6.7) is caught with its type and turned
// into advice (errors.ts).
import { AsyncLocalStorage } from "node:async_hooks";
import { Agent } from "node:https";
import { rootCertificates } from "node:tls";
import acme from "acme-client";
import type { Logger } from "../log/logger.js";
import type { ChallengeResponder } from "./challenges.js";
import type { ChallengeType } from "./enabled.js";
import { type AcmeProblem, problemToError } from "./errors.js";

const PREFIX = "urn:ietf:params:acme:error:";

/** The problem documents seen during one order (through the interceptor below). */
interface Seen {
  problems: { problem: AcmeProblem; retryAfterSec?: number }[];
}
const seen = new AsyncLocalStorage<Seen>();
let intercepting = false;

/** acme-client's one axios instance: record problem documents for the order running in this
 *  async context, and do not let it retry by itself (it would sleep through a rate limit's
 *  Retry-After, possibly hours, inside one order): the manager's backoff retries. */
function installInterceptor(): void {
  if (intercepting) return;
  intercepting = true;
  // axios waits forever by default: a CA that stops answering must fail the request, not the order.
  acme.axios.defaults.timeout = 30_000;
  (
    acme.axios.defaults as unknown as { acmeSettings: { retryMaxAttempts: number } }
  ).acmeSettings.retryMaxAttempts = 0;
  acme.axios.interceptors.response.use((resp) => {
    const store = seen.getStore();
    const data = resp.data as { type?: unknown; error?: AcmeProblem } | undefined;
    if (store && data && typeof data === "object" && store.problems.length < 20) {
      const retry = Number.parseInt(String(resp.headers["retry-after"] ?? ""), 10);
      const retryAfterSec = Number.isFinite(retry) && retry > 0 ? retry : undefined;
      if (typeof data.type === "string" && data.type.startsWith(PREFIX) && resp.status >= 400)
        store.problems.push({ problem: data as AcmeProblem, retryAfterSec });
      else if (data.error && typeof data.error.type === "string")
        store.problems.push({ problem: data.error });
    }
    return resp;
  });
}

/** The CA certificates trusted for the ACME server's HTTPS: the system's and `extraCaPem`. */
export function setAcmeTrust(extraCaPem: string | null): void {
  acme.axios.defaults.httpsAgent = extraCaPem
    ? new Agent({ ca: [...rootCertificates, extraCaPem], keepAlive: false })
    : undefined;
}

export interface OrderRequest {
  directoryUrl: string;
  email: string;
  accountKey: string;
  /** The account's URL at this CA, when known from an earlier order (RFC 8555 7.3). */
  accountUrl?: string;
  /** Told the account's URL as soon as it is known (kept even if the order then fails). */
  onAccount?: (url: string) => void;
  certKey: string;
  names: string[];
  challenges: ChallengeType[];
  responder: ChallengeResponder;
  log: Logger;
  /** First wait between polls of a pending challenge or order (doubling, at most 10 s). */
  pollMs?: number;
}

export interface OrderResult {
  chain: string;
  accountUrl: string;
}

/** Obtain a certificate for req.names with req.certKey: the PEM chain. Throws AcmeError. */
export async function orderCertificate(req: OrderRequest): Promise<OrderResult> {
  installInterceptor();
  const state: Seen = { problems: [] };
  return seen.run(state, async () => {
    let challengeType: string | undefined;
    let challengeName: string | undefined;
    try {
      const client = new acme.Client({
        directoryUrl: req.directoryUrl,
        accountKey: req.accountKey,
        ...(req.accountUrl ? { accountUrl: req.accountUrl } : {}),
        backoffAttempts: 12,
        backoffMin: req.pollMs ?? 1000,
        backoffMax: 10000,
      });
      // A known account is used as it is. Otherwise it is looked up by its key (RFC 8555 7.3.1,
      // onlyReturnExisting; acme-client then fetches it with POST-as-GET), and made if there is
      // none. (acme-client's plain createAccount would send an "update" changing nothing for an
      // existing account, which CAs refuse as malformed.)
      if (!req.accountUrl) {
        try {
          await client.createAccount({ onlyReturnExisting: true });
        } catch {
          state.problems.length = 0;
          await client.createAccount({
            termsOfServiceAgreed: true,
            ...(req.email ? { contact: [`mailto:${req.email}`] } : {}),
          });
        }
        req.onAccount?.(client.getAccountUrl());
      }
      const order = await client.createOrder({
        identifiers: req.names.map((value) => ({ type: "dns", value })),
      });
      const authzs = await client.getAuthorizations(order);
      for (const authz of authzs) {
        if (authz.status === "valid") continue; // reused from an earlier order (RFC 8555 7.1.4)
        const name = authz.identifier.value;
        const challenge = req.challenges
          .map((t) => authz.challenges.find((c) => c.type === t))
          .find((c) => c !== undefined);
        if (!challenge)
          throw problemToError({
            type: `${PREFIX}unsupportedChallenge`,
            detail: `the CA offers ${authz.challenges.map((c) => c.type).join(", ")} for ${name}; this server can answer ${req.challenges.join(", ") || "none"} (a plain-HTTP listener answers http-01, an HTTPS one tls-alpn-01)`,
            identifier: authz.identifier,
          });
        challengeType = challenge.type;
        challengeName = name;
        const keyAuthorization = await client.getChallengeKeyAuthorization(challenge);
        const token = (challenge as { token: string }).token;
        if (challenge.type === "http-01") req.responder.addHttp(token, keyAuthorization);
        else {
          const [key, cert] = await acme.crypto.createAlpnCertificate(authz, keyAuthorization);
          req.responder.addAlpn(name, { key: key.toString(), cert: cert.toString() });
        }
        req.log.info("acme challenge ready", { name, type: challenge.type });
        try {
          await client.completeChallenge(challenge);
          await client.waitForValidStatus(challenge);
        } finally {
          if (challenge.type === "http-01") req.responder.removeHttp(token);
          else req.responder.removeAlpn(name);
        }
      }
      challengeType = undefined;
      challengeName = undefined;
      const [, csr] = await acme.crypto.createCsr(
        { commonName: req.names[0], altNames: req.names },
        req.certKey,
      );
      const finalized = await client.finalizeOrder(order, csr);
      return { chain: await client.getCertificate(finalized), accountUrl: client.getAccountUrl() };
    } catch (e) {
      const last = state.problems.at(-1);
      if (last) {
        const problem =
          last.problem.identifier || !challengeName
            ? last.problem
            : { ...last.problem, identifier: { type: "dns", value: challengeName } };
        throw problemToError(problem, { challenge: challengeType, retryAfterSec: last.retryAfterSec });
      }
      throw e;
    }
  });
}

/** A new private key of the configured type, PEM. */
export async function newKey(type: "ecdsa" | "rsa"): Promise<string> {
  const key =
    type === "rsa"
      ? await acme.crypto.createPrivateRsaKey(2048)
      : await acme.crypto.createPrivateEcdsaKey("P-256");
  return key.toString();
}
