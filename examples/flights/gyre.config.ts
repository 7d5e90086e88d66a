/**
 * The flights project: everything the MLOps loop needs, as code. `gyre features plan|apply`,
 * `gyre pipeline list|run`, `gyre monitor …` and `gyre server` read these exports; `gyre demo` drives them.
 */

export { flightsDataset } from "./data.js";
export { flightsDeployment } from "./deployment.js";
export { features } from "./features.js";
export { monitors } from "./monitors.js";
export { pipelines } from "./pipelines.js";

export default {};
