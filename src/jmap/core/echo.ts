// Core/echo (RFC 8620 4): returns its arguments unchanged.
import type { JsonObject } from "./types.js";

export const coreEcho = async (args: JsonObject): Promise<JsonObject> => args;
