import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { cpuTimed } from "../testing/cpu-time.js";
import { parseShaCrypt, SHA_CRYPT_MAX_VERIFY_ROUNDS, shaCrypt, verifyShaCrypt } from "./sha512-crypt.js";

const P = "correct horse battery staple";

// Each vector was produced on Debian 12 by the tool named beside it (libxcrypt / OpenSSL 3.0).
const vectors: { password: string; setting: string; out: string; by: string }[] = [
  {
    by: "mkpasswd -m sha-512 -S saltstring 'Hello world!'",
    password: "Hello world!",
    setting: "$6$saltstring",
    out: "$6$saltstring$svn8UoSVapNtMuq1ukKS4tPQd8iKwSMHWjl/O817G3uBnIFNjnQJuesI68u4OTLiBFdcbYEdFCoEOfaS35inz1",
  },
  {
    by: "openssl passwd -6 -salt 'Yubin.Salt/16ch!' \"$P\"",
    password: P,
    setting: "$6$Yubin.Salt/16ch!$",
    out: "$6$Yubin.Salt/16ch!$4fCu.u9nTyxYUU6ujQJ4/ki7apZfrFUF9B/muFnvlQ2Lb3lASQyPHybihqJL8k9dvf6pCanvnwJnjlCSdWmVy.",
  },
  {
    by: 'mkpasswd -m sha-512 -R 1000 -S rounds1000salt "$P"',
    password: P,
    setting: "$6$rounds=1000$rounds1000salt$",
    out: "$6$rounds=1000$rounds1000salt$5tVLqECAdYru8ZRVkjA.4IMcIFuufZqOrD3lGSSy3/Wnj9qFlDbBoKB51CAhnrQ8FbPErT/Mt3OfuPN7ESEv/.",
  },
  {
    by: "python3 -c 'import crypt; print(crypt.crypt(P, \"$6$rounds=5000$saltstring$\"))' (explicit default rounds are echoed)",
    password: P,
    setting: "$6$rounds=5000$saltstring$",
    out: "$6$rounds=5000$saltstring$qvPJY4PeugKzKQqyIJ0gRdJnpS0uaaiZ.X1SaheFedsK/yZPwlluTLS90fJPM41sD5JxCHKgGr1..qt5HqEY8.",
  },
  {
    by: "python3 crypt.crypt(P, '$6$rounds=1400$anotherlongsaltstring$') (salt cut to 16)",
    password: P,
    setting: "$6$rounds=1400$anotherlongsaltstring$",
    out: "$6$rounds=1400$anotherlongsalts$DY8ofsHFwr6qUPLa1CEoQGwXJoRil1PKmXBbSOenTcLcsBy4jAfIOZdnnEP.DV9c9SkLwknNyyn0xLnV6Ykmu1",
  },
  {
    by: "python3 crypt.crypt('pässwörd', '$6$utf8salt$') (UTF-8 password)",
    password: "pässwörd",
    setting: "$6$utf8salt$",
    out: "$6$utf8salt$Nf6juS0Q3mv0f53eB4BVd6Njt8ABkI/Nw9Yqy9ZA65U6sGRcr2ajrL8Kwlq2SfdEvHi3Rhn/AVzWRrTM5gRn80",
  },
  {
    by: "python3 crypt.crypt('', '$6$emptypw$')",
    password: "",
    setting: "$6$emptypw$",
    out: "$6$emptypw$TWmzQ8/uLn1BFSZ5Lkfum8lAba5vixF9Nl3Aiof.Praatq9nh0kkPuTdoVrIL6du0L6LAoadbPq.q.D7keveg/",
  },
  {
    by: 'openssl passwd -5 -salt shortsalt "$P"',
    password: P,
    setting: "$5$shortsalt$",
    out: "$5$shortsalt$36K3w7lMifsvBChY0FnRUSj/RepRgzKEIJlnLdjxQx5",
  },
  {
    by: "python3 crypt.crypt(P, '$5$rounds=5000$toolongsaltstring$')",
    password: P,
    setting: "$5$rounds=5000$toolongsaltstring$",
    out: "$5$rounds=5000$toolongsaltstrin$Tor172GF4Hq.rGT4xFPGCz4B3HijQj1D4oHc2kjAvyB",
  },
  {
    by: "python3 crypt.crypt(P, '$5$rounds=1400$anotherlongsaltstring$')",
    password: P,
    setting: "$5$rounds=1400$anotherlongsaltstring$",
    out: "$5$rounds=1400$anotherlongsalts$sw4nxJsiJXpEwiiUuqI9Tpwduvoz/aXd/SVh9LlV1c6",
  },
];

describe("shaCrypt", () => {
  for (const v of vectors) {
    test(`matches ${v.by}`, () => {
      assert.equal(shaCrypt(v.password, v.setting), v.out);
      assert.equal(verifyShaCrypt(v.password, v.out), true);
      assert.equal(verifyShaCrypt(`${v.password}x`, v.out), false);
    });
  }

  test("doveadm pw output verifies (random salts, rounds=10000 and 7000)", () => {
    // doveadm pw -s SHA512-CRYPT -r 10000 -p "$P"   (Dovecot 2.3.19, prefix removed)
    const h512 =
      "$6$rounds=10000$5aMvwTsmwzOVQgMT$Ih5p1Z2fIotM3XsGz6h7wbrUnG7eaaPMkP06KMlpHOn94n.z0OmDhlnEhWyx2Ci7etn0YEBPz0V7UKb0/XaBG1";
    // doveadm pw -s SHA256-CRYPT -r 7000 -p "$P"
    const h256 = "$5$rounds=7000$XF4noA2nwYvIYccS$kO1d/cDMobDQWpFhJmNP.js3fnrkor2FvhU8aBgKJx/";
    assert.equal(verifyShaCrypt(P, h512), true);
    assert.equal(verifyShaCrypt(P, h256), true);
    assert.equal(verifyShaCrypt("correct horse battery stapler", h512), false);
  });

  test("rounds below the minimum are raised to 1000, as the specification says", () => {
    assert.equal(shaCrypt(P, "$6$rounds=10$roundstoolow$"), shaCrypt(P, "$6$rounds=1000$roundstoolow$"));
    assert.equal(parseShaCrypt("$6$rounds=10$x$")?.rounds, 1000);
    assert.equal(parseShaCrypt("$6$rounds=9999999999$x$")?.rounds, 999_999_999);
  });

  test("malformed or oversized stored hashes never verify", async () => {
    const good = vectors[1]?.out ?? "";
    assert.equal(verifyShaCrypt(P, good.slice(0, -1)), false); // digest one character short
    assert.equal(verifyShaCrypt(P, `${good}x`), false);
    assert.equal(verifyShaCrypt(P, "$6$saltonly"), false);
    assert.equal(verifyShaCrypt(P, "$1$md5$abc"), false);
    assert.equal(verifyShaCrypt(P, ""), false);
    // More rounds than we agree to compute: refused without computing.
    const huge = `$6$rounds=${SHA_CRYPT_MAX_VERIFY_ROUNDS + 1}$salt$${"a".repeat(86)}`;
    // In CPU time (a loaded CI machine makes wall-clock time count waits for a core): computed,
    // 2,000,001 rounds would cost about 5 s of it (0.25 s per 100,000 here).
    const { value, cpuMs } = await cpuTimed(() => verifyShaCrypt(P, huge));
    assert.equal(value, false);
    assert.ok(cpuMs < 100, `${cpuMs} ms of CPU`);
  });

  test("rejects a non-SHA-crypt setting", () => {
    assert.throws(() => shaCrypt(P, "$2b$05$abc"), /not a SHA-crypt/);
  });
});
