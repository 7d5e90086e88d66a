/** Project configuration for the example: pipelines as code. Run `gyre pipeline list` in this folder. */
import { flightDelays } from "./pipeline.js";

export const pipelines = [flightDelays];

export default {};
