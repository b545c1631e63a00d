import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { cpuTimed } from "../testing/cpu-time.js";
import {
  ARGON2_PARAMS,
  hashPassword,
  needsRehash,
  passwordStrengthError,
  verifyPassword,
} from "./password.js";

const P = "correct horse battery staple";

// Hashes of P made by real tools on Debian 12 (command beside each; P='correct horse battery staple').
const imported: { by: string; stored: string; password?: string }[] = [
  {
    by: 'doveadm pw -s ARGON2ID -p "$P"',
    stored:
      "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$RHHtCFBIBPl9jM1oxMxEZw$NRJLG/TyRIhJ7xKIIxT0oenGr8tyx9r0LfRz1GVEt9E",
  },
  {
    by: 'doveadm pw -s ARGON2I -p "$P"',
    stored:
      "{ARGON2I}$argon2i$v=19$m=32768,t=4,p=1$r84AbSRvx7ROduwA5u+jKw$C+IlSkDC30TCyRSpnlmZz6HLVFpsgf22lCQIcTyl0Wk",
  },
  {
    by: 'echo -n "$P" | argon2 somesaltvalue16 -id -t 2 -m 14 -p 1 -e',
    stored: "$argon2id$v=19$m=16384,t=2,p=1$c29tZXNhbHR2YWx1ZTE2$xZWL3jN+upoB0ZPLlqocYKkuUjjuj853KglRPPdeIW4",
  },
  {
    by: 'echo -n "$P" | argon2 somesaltvalue16 -i -t 3 -k 4096 -p 1 -e',
    stored: "$argon2i$v=19$m=4096,t=3,p=1$c29tZXNhbHR2YWx1ZTE2$vOL4PdU9eXasfZN/4mozes02n5um7DUM0Qaftv9wqZA",
  },
  {
    by: 'doveadm pw -s BLF-CRYPT -p "$P"',
    stored: "{BLF-CRYPT}$2y$05$3mGCEg6wpWMICOPkeBUbKOIsGXpg1NBt7DDFhxbtNmdKLQtseokpW",
  },
  {
    by: 'mkpasswd -m bcrypt -R 5 -S abcdefghijklmnopqrstuu "$P"',
    stored: "$2b$05$abcdefghijklmnopqrstuuFiPhXf1sVd3pCCRO.uVh34H/qI/ZsuS",
  },
  {
    by: "python3 crypt.crypt(P, '$2a$04$ABCDEFGHIJKLMNOPQRSTUu')",
    stored: "$2a$04$ABCDEFGHIJKLMNOPQRSTUuHzrfeaHESIafIgIn5rRlQxo3XhcNIeq",
  },
  {
    by: "python3 crypt.crypt('pässwörd', '$2y$04$ABCDEFGHIJKLMNOPQRSTUu')",
    stored: "$2y$04$ABCDEFGHIJKLMNOPQRSTUuek4CbSQQu35c9YYgSnjvfYm3e9bPOL.",
    password: "pässwörd",
  },
  {
    by: 'doveadm pw -s SHA512-CRYPT -p "$P"',
    stored:
      "{SHA512-CRYPT}$6$DUftWJRsq8UR7d94$vUwjLXmJglsVXJeCS.yBQPeq/PP283nD2dbWBA3NO38C4ZPxUaoui0TF1U8JE7sJJ2B.f9AadJwDV42FXEaZ31",
  },
  {
    by: 'doveadm pw -s SHA512-CRYPT -r 10000 -p "$P"',
    stored:
      "{SHA512-CRYPT}$6$rounds=10000$5aMvwTsmwzOVQgMT$Ih5p1Z2fIotM3XsGz6h7wbrUnG7eaaPMkP06KMlpHOn94n.z0OmDhlnEhWyx2Ci7etn0YEBPz0V7UKb0/XaBG1",
  },
  {
    by: 'doveadm pw -s SHA256-CRYPT -p "$P"',
    stored: "{SHA256-CRYPT}$5$Ri6.DrkN.fvlOGb1$gPXXHXFvA.QeTiQnvMemxGG7neXibLIlxH6RbnxcYD3",
  },
  {
    by: "openssl passwd -6 -salt 'Yubin.Salt/16ch!' \"$P\" (no {SCHEME} prefix, as in /etc/shadow)",
    stored:
      "$6$Yubin.Salt/16ch!$4fCu.u9nTyxYUU6ujQJ4/ki7apZfrFUF9B/muFnvlQ2Lb3lASQyPHybihqJL8k9dvf6pCanvnwJnjlCSdWmVy.",
  },
];

describe("hashPassword", () => {
  test("produces an argon2id PHC string with our parameters, salted per call", async () => {
    const a = await hashPassword(P);
    const b = await hashPassword(P);
    assert.match(a, /^\$argon2id\$v=19\$/);
    assert.match(a, new RegExp(`m=${ARGON2_PARAMS.memoryCost}\\b`));
    assert.match(a, new RegExp(`t=${ARGON2_PARAMS.timeCost}\\b`));
    assert.match(a, new RegExp(`p=${ARGON2_PARAMS.parallelism}\\b`));
    assert.notEqual(a, b);
    assert.equal(await verifyPassword(P, a), true);
    assert.equal(await verifyPassword(`${P} `, a), false);
    assert.equal(await verifyPassword("", a), false);
    assert.equal(needsRehash(a), false);
  });

  test("handles UTF-8 passwords", async () => {
    const h = await hashPassword("パスワードは秘密です");
    assert.equal(await verifyPassword("パスワードは秘密です", h), true);
    assert.equal(await verifyPassword("パスワードは秘密でず", h), false);
  });
});

describe("verifyPassword with imported hashes", () => {
  for (const v of imported) {
    test(v.by, async () => {
      const pw = v.password ?? P;
      assert.equal(await verifyPassword(pw, v.stored), true);
      assert.equal(await verifyPassword(`${pw}!`, v.stored), false);
      assert.equal(await verifyPassword(pw.toUpperCase(), v.stored), false);
      assert.equal(needsRehash(v.stored), true);
    });
  }

  test("a {SCHEME} prefix that contradicts the hash fails closed", async () => {
    const sha = "$5$Ri6.DrkN.fvlOGb1$gPXXHXFvA.QeTiQnvMemxGG7neXibLIlxH6RbnxcYD3";
    assert.equal(await verifyPassword(P, `{SHA256-CRYPT}${sha}`), true);
    assert.equal(await verifyPassword(P, `{SHA512-CRYPT}${sha}`), false);
    assert.equal(await verifyPassword(P, `{BLF-CRYPT}${sha}`), false);
    const a2i = imported[1]?.stored.replace("{ARGON2I}", "{ARGON2ID}") ?? "";
    assert.equal(await verifyPassword(P, a2i), false);
  });

  test("unknown schemes and malformed hashes are false, never a throw", async () => {
    for (const stored of [
      "",
      "*",
      "!",
      "{PLAIN}correct horse battery staple",
      P,
      "{MD5-CRYPT}$1$abcdefgh$G//4keteveJMT6Zd4MhL90",
      "$argon2id$v=19$m=19456,t=2,p=1$bad",
      "$2b$05$tooshort",
      "$2b$99$abcdefghijklmnopqrstuuFiPhXf1sVd3pCCRO.uVh34H/qI/ZsuS",
    ]) {
      assert.equal(await verifyPassword(P, stored), false, stored);
    }
  });

  // Work is bounded in CPU time (the whole process, argon2's thread pool included), not wall-clock
  // time, which on a loaded 2-core CI machine counts waits for a core: computing any of these
  // would cost seconds (argon2id t=1000: about 1,000 passes over 16 MiB; bcrypt cost 31: days).
  test("absurd stored costs are refused at once instead of stalling the login", async () => {
    const { cpuMs } = await cpuTimed(async () => {
      for (const stored of [
        "$2b$31$abcdefghijklmnopqrstuuFiPhXf1sVd3pCCRO.uVh34H/qI/ZsuS",
        "$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHR2YWx1ZTE2$xZWL3jN+upoB0ZPLlqocYKkuUjjuj853KglRPPdeIW4",
        "$argon2id$v=19$m=16384,t=1000,p=1$c29tZXNhbHR2YWx1ZTE2$xZWL3jN+upoB0ZPLlqocYKkuUjjuj853KglRPPdeIW4",
      ]) {
        assert.equal(await verifyPassword(P, stored), false, stored);
      }
    });
    assert.ok(cpuMs < 100, `${cpuMs} ms of CPU`);
  });

  test("an over-long password is refused before hashing (SHA-crypt is quadratic in length)", async () => {
    const long = "x".repeat(100_000);
    // A SHA-512-crypt hash (an index into `imported` once picked a bcrypt one, which truncates at
    // 72 bytes and so proved nothing). Hashed, this would cost minutes: 14 s of CPU per 1,000
    // rounds at this length here, and this hash has 10,000.
    const sha512 = imported.find((v) => v.by.includes("SHA512-CRYPT -r 10000"))?.stored;
    assert.ok(sha512);
    const { cpuMs } = await cpuTimed(async () => {
      assert.equal(await verifyPassword(long, sha512), false);
    });
    assert.ok(cpuMs < 100, `${cpuMs} ms of CPU`);
  });
});

describe("needsRehash", () => {
  test("weaker argon2id parameters or other schemes need a rehash; stronger ones do not", () => {
    const salt = "c29tZXNhbHR2YWx1ZTE2";
    const h = "xZWL3jN+upoB0ZPLlqocYKkuUjjuj853KglRPPdeIW4";
    assert.equal(needsRehash(`$argon2id$v=19$m=19456,t=2,p=1$${salt}$${h}`), false);
    assert.equal(needsRehash(`$argon2id$v=19$m=19456,p=1,t=2$${salt}$${h}`), false); // npm argon2's order
    assert.equal(needsRehash(`$argon2id$v=19$m=65536,t=3,p=4$${salt}$${h}`), false);
    assert.equal(needsRehash(`$argon2id$v=19$m=16384,t=2,p=1$${salt}$${h}`), true);
    assert.equal(needsRehash(`$argon2id$v=19$m=19456,t=1,p=1$${salt}$${h}`), true);
    assert.equal(needsRehash(`$argon2id$v=16$m=19456,t=2,p=1$${salt}$${h}`), true);
    assert.equal(needsRehash(`$argon2i$v=19$m=65536,t=3,p=1$${salt}$${h}`), true);
    assert.equal(needsRehash(`{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$${salt}$${h}`), true);
    assert.equal(needsRehash("garbage"), true);
  });
});

describe("passwordStrengthError", () => {
  const weak: [string, RegExp][] = [
    ["", /empty/],
    ["short", /shorter than 8/],
    ["1234567", /shorter than 8/],
    ["ééééééé", /shorter than 8/], // 7 characters, 14 bytes: characters count
    ["aaaaaaaaaaaa", /single character/],
    ["password", /common/],
    ["PassWord", /common/],
    ["12345678", /common/],
    ["qwertyuiop", /common/],
    ["abcdefghij", /sequence/],
    ["9876543210", /sequence/],
    ["x".repeat(1024) + "y", /longer than 1024/],
  ];
  for (const [pw, why] of weak) {
    test(`refuses ${JSON.stringify(pw.length > 20 ? `${pw.slice(0, 8)}…` : pw)}`, () => {
      const r = passwordStrengthError(pw);
      assert.ok(r !== null);
      assert.match(r, why);
    });
  }
  for (const pw of [P, "Tr0ub4dor&3", "abcdefgh1", "ééééééée", "password-is-long-enough"]) {
    test(`accepts ${JSON.stringify(pw)}`, () => {
      assert.equal(passwordStrengthError(pw), null);
    });
  }
});
