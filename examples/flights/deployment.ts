/**
 * How the project serves its model: `flights@champion` (serving follows the alias), with airport and route
 * features looked up in the online store by the request's entity keys — clients send origin, destination
 * and the departure hour only. Create it with `gyre deployments create --file deployment.json` or the API.
 */
import type { DeploymentSpec } from "../../src/serving/index.js";

export const flightsDeployment: DeploymentSpec = {
  name: "flights",
  model: "flights@champion",
  features: { service: "delay_model", entityKeys: ["origin", "destination"] },
  description: "Flight delayed > 15 minutes, from the origin's and the route's recent delays",
};
