import { withPackageDir } from "./archive.js";
import { readPackage } from "./manifest.js";
import { checkOnnxFlavor } from "./onnx-flavor.js";
import type { Flavor, ModelSignature, PackageManifest } from "./schema.js";
import { checkTfjsFlavor } from "./tfjs-flavor.js";
import { verificationError, verifyFiles } from "./verify.js";

/** What registration learns from a valid package. */
export interface PackageValidation {
  flavor: Flavor;
  signature: ModelSignature;
  manifest: PackageManifest;
}

const FLAVOR_CHECKS: Record<Flavor, (dir: string, manifest: PackageManifest) => Promise<void>> = {
  onnx: checkOnnxFlavor,
  tfjs: checkTfjsFlavor,
};

/**
 * The registration validator: reads the manifest (schema), verifies every file's size and sha256, then
 * loads the model with its flavor's check. `path` is a package directory or a package `.tar.gz`. Throws
 * REGISTRY_PACKAGE_INVALID, REGISTRY_MODEL_INVALID or REGISTRY_SIGNATURE_MISMATCH with a message fit to
 * record as the version's failure reason. Never changes the package.
 */
export function validatePackage(path: string): Promise<PackageValidation> {
  return withPackageDir(path, async (dir) => {
    const manifest = await readPackage(dir);
    const problems = await verifyFiles(dir, manifest);
    if (problems.length > 0) throw verificationError(path, problems);
    await FLAVOR_CHECKS[manifest.flavor](dir, manifest);
    return { flavor: manifest.flavor, signature: manifest.signature, manifest };
  });
}
