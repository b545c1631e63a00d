// dkimpy (Debian's python3-dkim), an independent DKIM and ARC implementation, driven from tests:
// it signs, seals and verifies batches of messages against a zone given here, so our signer,
// sealer and verifiers are checked against someone else's reading of RFC 6376, 8463 and 8617.
import { spawnSync } from "node:child_process";
import { fileSkip } from "../testing/requires.js";

/** Skip reason when python3-dkim is missing (CI installs it: .ci/run). */
export const dkimpySkip = (): false | string =>
  fileSkip("/usr/lib/python3/dist-packages/dkim/__init__.py", "python3-dkim");

/** Skip reason when dkimpy cannot seal: its arc_sign needs python3-authres (CI installs it). */
export const dkimpyArcSkip = (): false | string =>
  dkimpySkip() || fileSkip("/usr/lib/python3/dist-packages/authres/__init__.py", "python3-authres");

export type DkimpyJob =
  | { op: "verify"; msg: Buffer }
  /** ARC chain validation: [cv ("pass", "fail", "none", or "" for a chain that ended), reason]. */
  | { op: "arc-verify"; msg: Buffer }
  /** The next ARC set (AS, AMS, AAR), from the message's Authentication-Results by `srvId`. */
  | {
      op: "arc-sign";
      msg: Buffer;
      selector: string;
      domain: string;
      /** PKCS#1 PEM (dkimpy seals with rsa-sha256 only). */
      key: string;
      srvId: string;
      timestamp: number;
    }
  | {
      op: "sign";
      msg: Buffer;
      selector: string;
      domain: string;
      /** PKCS#1 PEM for RSA; base64 of the 32-byte seed for ed25519. */
      key: string;
      /** rsa-sha1 only to check that we refuse it (RFC 8301). */
      algorithm: "rsa-sha256" | "ed25519-sha256" | "rsa-sha1";
      canon: "relaxed/relaxed" | "simple/simple" | "relaxed/simple" | "simple/relaxed";
      headers: string[];
    };

const SCRIPT = `
import sys, json, base64, dkim
req = json.load(sys.stdin)
zone = req['zone']
def dnsfunc(name, timeout=5):
    n = name.decode() if isinstance(name, bytes) else name
    return zone.get(n.rstrip('.').lower(), '').encode()
out = []
for j in req['jobs']:
    m = base64.b64decode(j['msg'])
    try:
        if j['op'] == 'arc-verify':
            cv, _, reason = dkim.arc_verify(m, dnsfunc=dnsfunc)
            out.append([cv.decode() if cv else '', reason])
        elif j['op'] == 'arc-sign':
            fields = dkim.arc_sign(m, j['selector'].encode(), j['domain'].encode(), j['key'].encode(),
                j['srvId'].encode(), timestamp=j['timestamp'])
            out.append(base64.b64encode(b''.join(fields)).decode())
        elif j['op'] == 'verify':
            d = dkim.DKIM(m)
            n = sum(1 for h in d.headers if h[0].lower() == b'dkim-signature')
            out.append([bool(d.verify(idx=i, dnsfunc=dnsfunc)) for i in range(n)])
        else:
            hc, bc = j['canon'].split('/')
            sig = dkim.sign(m, j['selector'].encode(), j['domain'].encode(), j['key'].encode(),
                canonicalize=(hc.encode(), bc.encode()), signature_algorithm=j['algorithm'].encode(),
                include_headers=[h.encode() for h in j['headers']], linesep=b'\\r\\n')
            out.append(base64.b64encode(sig).decode())
    except Exception as e:
        out.append('error: %s' % e)
json.dump(out, sys.stdout)
`;

/** Runs the jobs in one python3 process: per verify job, one boolean per DKIM-Signature (top
 *  first); per sign job, the DKIM-Signature field as a Buffer; per arc-sign job, the set's three
 *  fields as one Buffer (empty when dkimpy ends the chain); per arc-verify job, [cv, reason]; an
 *  error as a string. */
export function dkimpy(
  zone: Record<string, string>,
  jobs: DkimpyJob[],
): (boolean[] | Buffer | string | [string, string])[] {
  const input = JSON.stringify({
    zone,
    jobs: jobs.map((j) => ({ ...j, msg: j.msg.toString("base64") })),
  });
  const r = spawnSync("/usr/bin/python3", ["-c", SCRIPT], { input, maxBuffer: 256 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`dkimpy: ${r.stderr.toString()}`);
  const out = JSON.parse(r.stdout.toString()) as (boolean[] | string | [string, string])[];
  return out.map((o, i) =>
    (jobs[i]!.op === "sign" || jobs[i]!.op === "arc-sign") && typeof o === "string" && !o.startsWith("error:")
      ? Buffer.from(o, "base64")
      : o,
  );
}
