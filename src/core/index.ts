export type { GyreConfig, LoadConfigOptions, UserConfig } from "./config.js";
export { DEFAULTS, defineConfig, loadConfig } from "./config.js";
export type { ErrorCategory, ErrorCode, GyreErrorOptions } from "./errors.js";
export { CATEGORIES, ERROR_CODES, GyreError, invalid, isGyreError } from "./errors.js";
export type { GitInfo } from "./git.js";
export { readGitInfo } from "./git.js";
export { fromDouble, parseLenientJson, toDouble } from "./json.js";
export { SchemeRegistry, uriPath } from "./schemes.js";
