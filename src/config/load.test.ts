import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parse } from "smol-toml";
import { ConfigError, defaultConfig, loadConfigFile, validateConfig, withOverrides } from "./load.js";
import { sampleConfig } from "./sample.js";

const dir = mkdtempSync(join(tmpdir(), "yubin-config-"));
function write(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

test("the generated sample parses back to exactly the defaults (plus its hostname)", () => {
  const cfg = validateConfig(parse(sampleConfig({ hostname: "localhost", dataDir: "./data" })));
  assert.deepEqual(cfg, defaultConfig());
});

test("every key of the sample carries a comment", () => {
  const text = sampleConfig({ hostname: "h", dataDir: "d" });
  const lines = text.slice(0, text.indexOf("[[listeners]]")).split("\n");
  lines.forEach((l, i) => {
    if (/^[a-zA-Z]+ = /.test(l) && !lines[i - 1]?.startsWith("#") && !lines[i - 1]?.startsWith("["))
      assert.fail(`key without comment: ${l}`);
  });
});

test("unknown section, unknown key and wrong type are rejected naming the key", () => {
  assert.throws(() => validateConfig({ smpt: {} }), { message: "config: unknown section [smpt]" });
  assert.throws(() => validateConfig({ smtp: { maxSize: 1 } }), {
    message: "config: unknown key smtp.maxSize",
  });
  assert.throws(() => validateConfig({ smtp: { maxMessageSize: "big" } }), {
    message: "config: smtp.maxMessageSize must be an integer",
  });
  assert.throws(() => validateConfig({ log: { level: "loud" } }), /log\.level must be one of "debug"/);
  assert.throws(() => validateConfig({ pop3: { allowPlaintextAuth: "yes" } }), /must be true or false/);
  assert.throws(
    () => validateConfig({ smtp: { maxRecipients: 0 } }),
    /smtp\.maxRecipients must be between 1/,
  );
});

test("listeners are validated one by one", () => {
  assert.throws(
    () => validateConfig({ listeners: [{ protocol: "ftp", port: 21 }] }),
    /listeners\[0\]\.protocol/,
  );
  assert.throws(
    () => validateConfig({ listeners: [{ protocol: "smtp", port: 70000 }] }),
    /listeners\[0\]\.port must be an integer 0-65535/,
  );
  assert.throws(
    () => validateConfig({ listeners: [{ protocol: "smtp", port: 25, tls: "maybe" }] }),
    /listeners\[0\]\.tls must be one of/,
  );
  assert.throws(
    () =>
      validateConfig({
        listeners: [
          { protocol: "smtp", port: 25 },
          { protocol: "pop3", port: 25 },
        ],
      }),
    /listeners\[1\]: 127\.0\.0\.1:25 is used by another listener/,
  );
  const cfg = validateConfig({
    listeners: [{ protocol: "submission", address: "::", port: 587, tls: "starttls" }],
  });
  assert.deepEqual(cfg.listeners, [{ protocol: "submission", address: "::", port: 587, tls: "starttls" }]);
});

test("config files: unreadable, invalid TOML, valid", () => {
  assert.throws(() => loadConfigFile(join(dir, "missing.toml")), {
    message: `cannot read config ${join(dir, "missing.toml")}: ENOENT`,
  });
  const bad = write("bad.toml", "[server\nhostname = 1");
  assert.throws(
    () => loadConfigFile(bad),
    (e: unknown) => e instanceof ConfigError && e.message.startsWith(`${bad}: invalid TOML`),
  );
  const ok = write("ok.toml", '[server]\nhostname = "mx.example.org"\n[smtp]\nmaxRecipients = 5\n');
  const cfg = loadConfigFile(ok);
  assert.equal(cfg.server.hostname, "mx.example.org");
  assert.equal(cfg.smtp.maxRecipients, 5);
  assert.equal(cfg.pop3.allowPlaintextAuth, false);
});

test("overrides are validated like the file", () => {
  const cfg = withOverrides(defaultConfig(), { pop3: { allowPlaintextAuth: true } });
  assert.equal(cfg.pop3.allowPlaintextAuth, true);
  assert.equal(defaultConfig().pop3.allowPlaintextAuth, false);
  assert.throws(() => withOverrides(defaultConfig(), { pop3: { nope: 1 } }), /unknown key pop3\.nope/);
});
