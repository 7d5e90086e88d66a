import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import { GyreError } from "../core/errors.js";

let ready: Promise<void> | undefined;

/**
 * Makes TF.js run on the WebAssembly backend, loading the .wasm binaries from the installed package's
 * dist directory. Idempotent; throws TRAINING_BACKEND_UNAVAILABLE when the backend cannot start.
 */
export function loadWasmBackend(): Promise<void> {
  ready ??= (async () => {
    const pkg = createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm/package.json");
    setWasmPaths(`${join(dirname(pkg), "dist")}/`);
    const ok = await tf.setBackend("wasm").catch(() => false);
    if (!ok || tf.getBackend() !== "wasm") {
      ready = undefined;
      throw new GyreError(
        "TRAINING_BACKEND_UNAVAILABLE",
        "TF.js could not start its wasm backend; check that @tensorflow/tfjs-backend-wasm is installed " +
          "with its dist/*.wasm files",
      );
    }
  })();
  return ready;
}
