// The Pigeonhole runner on our own small .svtest files (fixtures/tests, shaped like the suite's
// tests/ folder), so it is tested without the Dovecot suite: test blocks pass and fail one by one,
// test_fail outside a block fails the file, results are filed and sent, scripts compile and run
// with their errors visible, failures/ files pass by being refused, and the table counts it all.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: "${...}" here is Sieve syntax (RFC 5229), not a mistaken template.
import assert from "node:assert/strict";
import { join } from "node:path";
import { describe, it } from "node:test";
import { checkSieve, supportedExtensions } from "../index.js";
import { formatReport } from "./report.js";
import { requiresOf, runSuiteFile, runSvtest, SCRIPT_LIMITS, scriptLimits } from "./runner.js";
import { listSuite } from "./suite.js";

const ROOT = join(import.meta.dirname, "fixtures");
const files = listSuite(ROOT);
const file = (rel: string) => {
  const f = files.find((x) => x.rel === rel);
  assert.ok(f, rel);
  return f;
};

describe("Pigeonhole runner", () => {
  it("lists the suite's files in order, relative to tests/", () => {
    assert.deepEqual(
      files.map((f) => f.rel),
      [
        "control-fixture-fail.svtest",
        "extensions/vnd.dovecot/fixture-na.svtest",
        "failures/fixture-refused.svtest",
        "test-fixture-pass.svtest",
      ],
    );
  });

  it("runs every test block of a passing file, filing, sending, compiling and running scripts", async () => {
    const f = file("test-fixture-pass.svtest");
    const r = await runSvtest(f.text, f.dir);
    assert.equal(r.compileErrors, null);
    assert.deepEqual(r.failures, []);
    // Seven blocks; "Never reached" comes after stop.
    assert.equal(r.tests, 7);
    const o = await runSuiteFile(f);
    assert.equal(o.status, "pass");
    assert.deepEqual(o.requires, ["vnd.dovecot.testsuite", "fileinto"]);
  });

  it("counts a failing test and goes on with the next block", async () => {
    const f = file("control-fixture-fail.svtest");
    const r = await runSvtest(f.text, f.dir);
    assert.equal(r.tests, 3);
    assert.deepEqual(r.failures, [{ test: "Second", reason: "expected failure" }]);
    const o = await runSuiteFile(f);
    assert.equal(o.status, "fail");
    assert.equal(o.detail, 'test "Second": expected failure');
  });

  it("fails the file on test_fail outside a block, and stops there", async () => {
    const r = await runSvtest(
      'require "vnd.dovecot.testsuite";\ntest_fail "top";\ntest "After" { }\n',
      join(ROOT, "tests"),
    );
    assert.equal(r.tests, 0);
    assert.deepEqual(r.failures, [{ test: null, reason: "top" }]);
  });

  it("defines ${tst.path}, the test file's directory (a namespace only test files have)", async () => {
    const dir = join(ROOT, "tests");
    const r = await runSvtest(
      'require ["vnd.dovecot.testsuite", "variables"];\ntest "tst" {\n  if not string :is "${tst.path}" "' +
        dir +
        '" { test_fail "wrong path"; }\n}\n',
      dir,
    );
    assert.deepEqual(r, { tests: 1, failures: [], compileErrors: null });
    assert.match(
      checkSieve('require "variables"; if string "${tst.path}" "" { keep; }')[0]?.message ?? "",
      /namespace/,
    );
  });

  it("reports a file that does not compile with line and column", async () => {
    const r = await runSvtest('require "vnd.dovecot.testsuite";\n\ntest "x" { frobnicate; }\n', ROOT);
    assert.ok(r.compileErrors !== null && r.compileErrors.length > 0);
    assert.equal(r.compileErrors[0]!.line, 3);
  });

  it("passes a failures/ file when it is refused (Pigeonhole's -F)", async () => {
    const o = await runSuiteFile(file("failures/fixture-refused.svtest"));
    assert.equal(o.status, "pass");
  });

  it("keeps the testsuite extension out of user scripts", () => {
    assert.equal(supportedExtensions.has("vnd.dovecot.testsuite"), false);
    assert.equal(supportedExtensions.has("vnd.dovecot.debug"), false);
  });

  it("lists Dovecot-only groups as not applicable, and tabulates", async () => {
    const outcomes = [];
    for (const f of files) outcomes.push(await runSuiteFile(f));
    const na = outcomes.find((o) => o.rel.startsWith("extensions/vnd.dovecot/"));
    assert.equal(na?.status, "n/a");
    const table = formatReport(outcomes, supportedExtensions);
    // Base language: three files, two pass (the failing fixture fails by design).
    assert.match(table, /^base language +3 +2$/m);
    assert.match(table, /control-fixture-fail\.svtest \[1\/3\]: test "Second": expected failure/);
    assert.match(table, /vnd\.dovecot\.\* +1 +Dovecot's own vendor extensions/);
  });

  it("maps Dovecot's limit settings onto the [sieve] limits they match, and nothing else", () => {
    const l = scriptLimits(
      new Map([
        ["sieve_notify_max_notifications", "5"],
        ["sieve_max_actions", "7"],
        ["sieve_variables_max_variable_size", "4000"],
      ]),
    );
    assert.deepEqual(
      { ...l, maxNotify: SCRIPT_LIMITS.maxNotify, maxActions: SCRIPT_LIMITS.maxActions },
      SCRIPT_LIMITS,
    );
    assert.equal(l.maxNotify, 5);
    assert.equal(l.maxActions, 7);
  });

  it("reads a file's requires without compiling it", () => {
    assert.deepEqual(requiresOf('require ["a", "b"];\nrequire "c";\nkeep;\nrequire "d";'), ["a", "b", "c"]);
  });
});
