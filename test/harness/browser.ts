import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, chromium, type Page } from "playwright-core";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** Debian's chromium (`apt-get install chromium`; `.ci/run` installs it when missing); GYRE_CHROMIUM overrides. */
export const CHROMIUM = process.env.GYRE_CHROMIUM ?? "/usr/bin/chromium";

/** Where the UI tests leave their screenshots (gitignored) for a person to look at. */
export const SCREENSHOTS = join(ROOT, "test", ".screenshots");

/**
 * Builds the web UI from ui/ into a fresh temp directory with Vite (about a second) and returns it, so
 * that the tests always run the current sources and never touch ui/dist.
 */
export async function buildUi(): Promise<string> {
  const { build } = await import("vite");
  const outDir = mkdtempSync(join(tmpdir(), "gyre-ui-"));
  // A production build even under vitest (NODE_ENV=test would give React's development build).
  const env = process.env.NODE_ENV;
  process.env.NODE_ENV = "production";
  await build({
    configFile: join(ROOT, "ui", "vite.config.ts"),
    logLevel: "error",
    mode: "production",
    build: { outDir, emptyOutDir: true },
  }).finally(() => {
    process.env.NODE_ENV = env;
  });
  return outDir;
}

/** A headless Chromium; throws with the install command when the binary is missing. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium not found at ${CHROMIUM}: install it with \`apt-get install -y chromium\``);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
  });
}

/** A page that records console errors and uncaught exceptions (each test asserts there were none). */
export interface WatchedPage {
  page: Page;
  errors: string[];
  /** Saves a full-page screenshot as test/.screenshots/<name>.png. */
  shot(name: string): Promise<void>;
}

export async function openPage(
  browser: Browser,
  options: { colorScheme?: "light" | "dark"; width?: number; height?: number } = {},
): Promise<WatchedPage> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 860 },
    colorScheme: options.colorScheme ?? "light",
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(`console: ${m.text()} (${m.location().url})`);
  });
  page.on("pageerror", (e) => errors.push(`page: ${e.message}`));
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    page,
    errors,
    shot: async (name) => {
      await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
    },
  };
}
