/**
 * Model packages: a directory (or `.tar.gz`) with a `gyre-model.json` manifest that describes the model's
 * flavor, files and hashes, signature, reference profile, metrics and framework versions. The registry
 * validates packages at registration; serving loads them; monitoring compares traffic to their profile.
 */
export { type PackResult, packPackage, unpackPackage, withPackageDir } from "./archive.js";
export {
  type ManifestIssue,
  parseManifest,
  readPackage,
  type WritePackageOptions,
  writePackage,
} from "./manifest.js";
export { checkOnnxFlavor } from "./onnx-flavor.js";
export { MANIFEST_FILE } from "./paths.js";
export { computeProfile, OTHER_CATEGORY, type ProfileData, type ProfileOptions } from "./profile.js";
export {
  DTYPES,
  type Dtype,
  type FeatureProfile,
  type FeatureSpec,
  type Flavor,
  type ModelSignature,
  manifestJsonSchema,
  PACKAGE_FORMAT_VERSION,
  type PackageManifest,
  type ReferenceProfile,
  type TensorSpec,
} from "./schema.js";
export { checkTfjsFlavor } from "./tfjs-flavor.js";
export { type PackageValidation, validatePackage } from "./validate.js";
export { type PackageProblem, type PackageProblemKind, type VerifyResult, verifyPackage } from "./verify.js";
