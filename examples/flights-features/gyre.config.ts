/** Project configuration for the example: feature definitions as code. Run `gyre features plan` in this folder. */
export { features } from "./features.js";

export default {};
