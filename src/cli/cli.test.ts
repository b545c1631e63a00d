// The CLI as a user types it: real processes, a fresh config and data directory per test file.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { yubinSync } from "./test-cli.js";

const dir = mkdtempSync(join(tmpdir(), "yubin-cli-"));
const config = join(dir, "yubin.toml");
after(() => rmSync(dir, { recursive: true, force: true }));

const yubin = (args: string[], input = "") => yubinSync(config, args, { input });

const strong = "tr0ub4dor&3-horse\n";

describe("yubin CLI", () => {
  test("first use writes a commented config beside the data", () => {
    const r = yubin(["domain", "list"]);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, "");
    const text = readFileSync(config, "utf8");
    assert.match(text, /^# Yubin configuration/);
    assert.match(text, new RegExp(`dataDir = "${dir.replace(/[/\\]/g, "\\$&")}"`));
  });

  test("domain add, list, duplicate, malformed, remove", () => {
    assert.deepEqual(yubin(["domain", "add", "Example.ORG"]), {
      code: 0,
      out: "added domain example.org\n",
      err: "",
    });
    assert.deepEqual(yubin(["domain", "add", "example.org"]), {
      code: 1,
      out: "",
      err: "yubin: domain example.org already exists\n",
    });
    assert.deepEqual(yubin(["domain", "add", "bad..name"]), {
      code: 1,
      out: "",
      err: 'yubin: malformed domain name: "bad..name"\n',
    });
    assert.equal(yubin(["domain", "add", "other.test"]).code, 0);
    assert.equal(yubin(["domain", "list"]).out, "example.org\nother.test\n");
    assert.deepEqual(yubin(["domain", "remove", "other.test"]), {
      code: 0,
      out: "removed domain other.test\n",
      err: "",
    });
    assert.deepEqual(yubin(["domain", "remove", "nope.test"]), {
      code: 1,
      out: "",
      err: "yubin: unknown domain nope.test\n",
    });
  });

  test("user add with --password-stdin, and the errors a user can make", () => {
    assert.deepEqual(yubin(["user", "add", "alice@example.org", "--password-stdin"], strong), {
      code: 0,
      out: "added user alice@example.org\n",
      err: "",
    });
    assert.deepEqual(yubin(["user", "add", "alice@example.org", "--password-stdin"], strong), {
      code: 1,
      out: "",
      err: "yubin: user alice@example.org already exists\n",
    });
    assert.deepEqual(yubin(["user", "add", "carol@unknown.test", "--password-stdin"], strong), {
      code: 1,
      out: "",
      err: "yubin: unknown domain unknown.test: add it first with `yubin domain add unknown.test`\n",
    });
    assert.deepEqual(yubin(["user", "add", "not-an-address", "--password-stdin"], strong), {
      code: 1,
      out: "",
      err: 'yubin: malformed address: "not-an-address"\n',
    });
    const weak = yubin(["user", "add", "dave@example.org", "--password-stdin"], "\n");
    assert.equal(weak.code, 1);
    assert.match(weak.err, /^yubin: password rejected: .+\n$/);
    const noPw = yubin(["user", "add", "dave@example.org"]);
    assert.deepEqual(noPw, {
      code: 1,
      out: "",
      err: "yubin: no password given: use --password-stdin, or run in a terminal to be prompted\n",
    });
    const argv = yubin(["user", "add", "erin@example.org", "--password", "tr0ub4dor&3-horse"]);
    assert.equal(argv.code, 0);
    assert.match(argv.err, /warning: --password is visible to other users/);
    assert.equal(yubin(["user", "list"]).out.split("\n").filter(Boolean).length, 2);
    assert.match(yubin(["user", "list"]).out, /^alice@example\.org\t0 messages\t0 bytes\n/);
  });

  test("passwd and remove", () => {
    assert.deepEqual(
      yubin(["user", "passwd", "erin@example.org", "--password-stdin"], "another-long-pass\n"),
      {
        code: 0,
        out: "password changed for erin@example.org\n",
        err: "",
      },
    );
    assert.deepEqual(yubin(["user", "passwd", "zed@example.org", "--password-stdin"], strong), {
      code: 1,
      out: "",
      err: "yubin: unknown user zed@example.org\n",
    });
    assert.deepEqual(yubin(["user", "remove", "erin@example.org"]), {
      code: 0,
      out: "removed user erin@example.org and its mail\n",
      err: "",
    });
  });

  test("aliases, catch-all, and a domain that still has users", () => {
    assert.equal(yubin(["alias", "add", "info@example.org", "alice@example.org"]).code, 0);
    assert.deepEqual(yubin(["alias", "add", "@example.org", "alice@example.org"]), {
      code: 0,
      out: "added alias @example.org -> alice@example.org\n",
      err: "",
    });
    assert.deepEqual(yubin(["alias", "add", "alice@example.org", "bob@example.org"]), {
      code: 1,
      out: "",
      err: "yubin: alice@example.org is a user, not an alias\n",
    });
    assert.equal(
      yubin(["alias", "list"]).out,
      "@example.org\talice@example.org\ninfo@example.org\talice@example.org\n",
    );
    assert.deepEqual(yubin(["domain", "remove", "example.org"]), {
      code: 1,
      out: "",
      err: "yubin: domain example.org still has users or aliases: remove them first\n",
    });
    assert.equal(yubin(["alias", "remove", "info@example.org"]).code, 0);
    assert.equal(
      yubin(["alias", "remove", "info@example.org"]).err,
      "yubin: unknown alias info@example.org\n",
    );
  });
});
