#!/usr/bin/env node
// The `gyre` command: runs the compiled CLI (npm ci / npm run build produces dist/).
const cli = await import("../dist/cli/index.js").catch((e) => {
  if (e?.code === "ERR_MODULE_NOT_FOUND" && String(e.message).includes("dist/cli/index.js")) {
    process.stderr.write("error: gyre is not built yet — run `npm run build` in the gyre checkout\n");
    process.exit(1);
  }
  throw e;
});
process.exitCode = await cli.main(process.argv);
