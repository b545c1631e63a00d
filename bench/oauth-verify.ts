// Cost of checking one OAuth access token (src/oauth/tokens.ts) once the provider's keys are
// cached: signature, iss, aud, exp, claim. Compare with an argon2id password check (tens of ms):
// a token login costs the CPU far less than a password login. CPU time is reported beside wall
// time because the shared machine's load inflates the latter.
// Run: node --import tsx bench/oauth-verify.ts
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { defaultConfig } from "../src/config/load.js";
import { TokenVerifier } from "../src/oauth/tokens.js";
import { exitWithHelpIfAsked } from "./args.js";

exitWithHelpIfAsked(import.meta.url);

const N = 3000;

for (const alg of ["RS256", "ES256"]) {
  const k = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(k.publicKey)), kid: "k", alg };
  const srv = createServer((req, res) => res.end(JSON.stringify(req.url === "/jwks" ? { keys: [jwk] } : {})));
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const iss = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  const v = new TokenVerifier({
    ...defaultConfig().oauth,
    issuer: iss,
    audience: "mail",
    jwksUri: `${iss}/jwks`,
  });
  const token = await new SignJWT({ email: "alice@example.test" })
    .setProtectedHeader({ alg, kid: "k" })
    .setIssuer(iss)
    .setAudience("mail")
    .setExpirationTime("1h")
    .sign(k.privateKey);
  await v.verify(token); // fetches the keys once
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < N; i++) if (!(await v.verify(token)).ok) throw new Error("token refused");
  const wallUs = ((performance.now() - t0) * 1000) / N;
  const cpu = process.cpuUsage(cpu0);
  console.log(
    `${alg}: ${N} checks, ${wallUs.toFixed(0)} µs wall, ${((cpu.user + cpu.system) / N).toFixed(0)} µs CPU per token`,
  );
  srv.close();
}
