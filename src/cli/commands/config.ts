// yubin config check | sample
import { loadConfigFile } from "../../config/load.js";
import { sampleConfig } from "../../config/sample.js";
import { onlyFlags, type ParsedArgs } from "../args.js";
import { type CliEnv, print } from "../env.js";
import { UsageError } from "../errors.js";

export async function configCommand(env: CliEnv, args: ParsedArgs): Promise<void> {
  onlyFlags(args, []);
  switch (args.positional[0]) {
    case "check": {
      const config = loadConfigFile(env.configPath); // throws ConfigError naming file and key
      print(
        env,
        `${env.configPath}: ok (${config.listeners.length} listeners, data in ${config.server.dataDir})`,
      );
      return;
    }
    case "sample":
      env.io.stdout.write(sampleConfig({ hostname: "mail.example.com", dataDir: "./data" }));
      return;
    default:
      throw new UsageError("usage: yubin config check|sample");
  }
}
