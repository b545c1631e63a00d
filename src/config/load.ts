// Reads and validates the TOML config. Only this folder reads config files.
// Unknown keys and wrong types fail at start with the key's name and the file.
import { readFileSync } from "node:fs";
import { parse as parseToml } from "smol-toml";
import { defaultsOf, type Field } from "./dsl.js";
import { type Config, type ListenerConfig, protocols, schema, tlsModes } from "./schema.js";

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

/** Quickstart listeners: unprivileged ports on loopback. Production ports are in the sample's comments. */
export const defaultListeners: ListenerConfig[] = [
  { protocol: "smtp", address: "127.0.0.1", port: 2525, tls: "none" },
  { protocol: "submission", address: "127.0.0.1", port: 2587, tls: "starttls" },
  { protocol: "submission", address: "127.0.0.1", port: 2465, tls: "implicit" },
  { protocol: "pop3", address: "127.0.0.1", port: 1110, tls: "starttls" },
  { protocol: "pop3", address: "127.0.0.1", port: 1995, tls: "implicit" },
  { protocol: "imap", address: "127.0.0.1", port: 1143, tls: "starttls" },
  { protocol: "imap", address: "127.0.0.1", port: 1993, tls: "implicit" },
  { protocol: "managesieve", address: "127.0.0.1", port: 4190, tls: "starttls" },
  // Web: admin and settings pages over HTTPS; plain HTTP serves autoconfig documents and
  // redirects everything else to the HTTPS port.
  { protocol: "http", address: "127.0.0.1", port: 8443, tls: "implicit" },
  { protocol: "http", address: "127.0.0.1", port: 8080, tls: "none" },
];

export function defaultConfig(): Config {
  const out: Record<string, unknown> = {};
  for (const [name, section] of Object.entries(schema)) out[name] = defaultsOf(section);
  out.listeners = defaultListeners.map((l) => ({ ...l }));
  return out as Config;
}

export function loadConfigFile(path: string): Config {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new ConfigError(`cannot read config ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let raw: unknown;
  try {
    raw = parseToml(text);
  } catch (e) {
    throw new ConfigError(`${path}: invalid TOML: ${(e as Error).message.split("\n")[0]}`);
  }
  return validateConfig(raw, path);
}

/** Turn a parsed TOML document into a Config, filling defaults; throws ConfigError naming the key. */
export function validateConfig(raw: unknown, where = "config"): Config {
  const cfg = defaultConfig();
  if (!isTable(raw)) throw new ConfigError(`${where}: top level must be a table`);
  for (const [name, value] of Object.entries(raw)) {
    if (name === "listeners") {
      cfg.listeners = validateListeners(value, where);
      continue;
    }
    const section = (schema as Record<string, Record<string, Field<unknown>>>)[name];
    if (!section) throw new ConfigError(`${where}: unknown section [${name}]`);
    if (!isTable(value)) throw new ConfigError(`${where}: [${name}] must be a table`);
    const target = (cfg as unknown as Record<string, Record<string, unknown>>)[name]!;
    for (const [key, v] of Object.entries(value)) {
      const field = section[key];
      if (!field) throw new ConfigError(`${where}: unknown key ${name}.${key}`);
      target[key] = checkField(field, v, `${where}: ${name}.${key}`);
    }
  }
  // A PROXY protocol listener nobody may send the header to would close every connection.
  const proxied = cfg.listeners.findIndex((l) => l.proxyProtocol);
  if (proxied >= 0 && cfg.proxy.trustedSources.length === 0)
    throw new ConfigError(
      `${where}: listeners[${proxied}].proxyProtocol needs [proxy] trustedSources (the load balancers' addresses)`,
    );
  return cfg;
}

/** Apply overrides given as plain objects (tests, CLI flags) with the same validation. */
export function withOverrides(base: Config, overrides: Record<string, unknown>): Config {
  const out = structuredClone(base) as unknown as Record<string, unknown>;
  for (const [name, value] of Object.entries(overrides)) {
    if (name === "listeners") {
      out.listeners = validateListeners(value, "override");
      continue;
    }
    const section = (schema as Record<string, Record<string, Field<unknown>>>)[name];
    if (!section || !isTable(value)) throw new ConfigError(`override: unknown section ${name}`);
    const target = out[name] as Record<string, unknown>;
    for (const [key, v] of Object.entries(value)) {
      const field = section[key];
      if (!field) throw new ConfigError(`override: unknown key ${name}.${key}`);
      target[key] = checkField(field, v, `override: ${name}.${key}`);
    }
  }
  return out as unknown as Config;
}

function checkField(f: Field<unknown>, v: unknown, at: string): unknown {
  switch (f.kind) {
    case "string": {
      if (typeof v !== "string") throw new ConfigError(`${at} must be a string`);
      const problem = f.validate?.(v);
      if (problem) throw new ConfigError(`${at}: ${problem}`);
      return v;
    }
    case "bool":
      if (typeof v !== "boolean") throw new ConfigError(`${at} must be true or false`);
      return v;
    case "int": {
      const n = typeof v === "bigint" ? Number(v) : v;
      if (typeof n !== "number" || !Number.isInteger(n)) throw new ConfigError(`${at} must be an integer`);
      if (n < (f.min ?? 0) || n > (f.max ?? Number.MAX_SAFE_INTEGER))
        throw new ConfigError(`${at} must be between ${f.min} and ${f.max}`);
      return n;
    }
    case "enum":
      if (typeof v !== "string" || !f.values?.includes(v))
        throw new ConfigError(`${at} must be one of ${f.values?.map((x) => JSON.stringify(x)).join(", ")}`);
      return v;
    case "stringList":
      if (!Array.isArray(v) || !v.every((x) => typeof x === "string"))
        throw new ConfigError(`${at} must be a list of strings`);
      {
        const problem = f.validate?.(v);
        if (problem) throw new ConfigError(`${at}: ${problem}`);
      }
      return [...v];
  }
}

function validateListeners(v: unknown, where: string): ListenerConfig[] {
  if (!Array.isArray(v))
    throw new ConfigError(`${where}: listeners must be a list of tables ([[listeners]])`);
  const seen = new Set<string>();
  return v.map((l, i) => {
    const at = `${where}: listeners[${i}]`;
    if (!isTable(l)) throw new ConfigError(`${at} must be a table`);
    for (const k of Object.keys(l))
      if (!["protocol", "address", "port", "tls", "proxyProtocol"].includes(k))
        throw new ConfigError(`${at}: unknown key ${k}`);
    const {
      protocol,
      address = "127.0.0.1",
      port,
      tls = "none",
      proxyProtocol = false,
    } = l as Record<string, unknown>;
    if (typeof protocol !== "string" || !(protocols as readonly string[]).includes(protocol))
      throw new ConfigError(`${at}.protocol must be one of ${protocols.join(", ")}`);
    if (typeof address !== "string" || address === "")
      throw new ConfigError(`${at}.address must be a string`);
    const p = typeof port === "bigint" ? Number(port) : port;
    if (typeof p !== "number" || !Number.isInteger(p) || p < 0 || p > 65535)
      throw new ConfigError(`${at}.port must be an integer 0-65535`);
    if (typeof tls !== "string" || !(tlsModes as readonly string[]).includes(tls))
      throw new ConfigError(`${at}.tls must be one of ${tlsModes.join(", ")}`);
    if (typeof proxyProtocol !== "boolean")
      throw new ConfigError(`${at}.proxyProtocol must be true or false`);
    const key = `${address}:${p}`;
    if (p !== 0 && seen.has(key)) throw new ConfigError(`${at}: ${key} is used by another listener`);
    seen.add(key);
    return { protocol, address, port: p, tls, ...(proxyProtocol ? { proxyProtocol } : {}) } as ListenerConfig;
  });
}

function isTable(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof Date);
}
