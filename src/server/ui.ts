import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";

/** Where `npm run build:ui` writes the web UI: `ui/dist` at the package root (same path from src/ and dist/). */
export const DEFAULT_UI_DIR: string = fileURLToPath(new URL("../../ui/dist", import.meta.url));

/** Paths the UI never answers for: APIs, the artifact proxy, health, version, metrics, missing built assets. */
const NOT_UI = /^\/(api|ajax-api|health|version|metrics|invocations|v2|assets)(\/|$|\?)/;

const MISSING_PAGE = `<!doctype html><meta charset="utf-8"><title>gyre</title>
<body style="font-family:system-ui;max-width:40rem;margin:3rem auto;line-height:1.5">
<h1>gyre server is running</h1>
<p>The web UI has not been built in this installation. Build it with</p>
<pre>npm run build:ui</pre>
<p>(<code>npm ci</code> builds it too), then restart <code>gyre server</code>. The APIs are served as usual:
<a href="/api/v1/openapi.json">/api/v1/openapi.json</a>, MLflow REST under <code>/api/2.0/mlflow/</code>.</p>`;

/**
 * Serves the built web UI from `dir` at `/` (hashed assets cached for a year, index.html never cached).
 * Returns the single-page-app fallback for the server's not-found handler: it answers unknown non-API
 * GET/HEAD paths with index.html (so every view's URL is reloadable) and returns false for everything else.
 */
export async function registerUi(
  app: FastifyInstance,
  dir: string = DEFAULT_UI_DIR,
): Promise<(req: FastifyRequest, reply: FastifyReply) => boolean> {
  const built = existsSync(`${dir}/index.html`);
  if (built) {
    await app.register(fastifyStatic, {
      root: dir,
      prefix: "/",
      // Files are looked up per request, so rebuilding the UI under a running server serves the new build.
      wildcard: true,
      cacheControl: false,
      setHeaders(reply, path) {
        const immutable = path.includes("/assets/");
        void reply.header("cache-control", immutable ? "public, max-age=31536000, immutable" : "no-cache");
      },
    });
  }
  return (req, reply) => {
    if ((req.method !== "GET" && req.method !== "HEAD") || NOT_UI.test(req.url)) return false;
    if (!built) {
      void reply.code(200).type("text/html; charset=utf-8").send(MISSING_PAGE);
      return true;
    }
    void reply.header("cache-control", "no-cache").sendFile("index.html");
    return true;
  };
}
