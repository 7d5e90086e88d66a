import { GyreError } from "../../core/errors.js";
import { flatValues, V2_DATATYPES } from "../tensors.js";
import type { InferRequest, InferResult, RawInput } from "../types.js";

/** Every datatype the Open Inference Protocol v2 names. */
const DATATYPES = new Set([
  "BOOL",
  "UINT8",
  "UINT16",
  "UINT32",
  "UINT64",
  "INT8",
  "INT16",
  "INT32",
  "INT64",
  "FP16",
  "FP32",
  "FP64",
  "BYTES",
]);

function bad(message: string, field: string): GyreError {
  return new GyreError("SERVING_INPUT_FORMAT", message, { field });
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Row-major flat values of possibly nested `data`. */
function flatten(data: unknown[]): unknown[] {
  if (!data.some(Array.isArray)) return data;
  return data.flat(Number.POSITIVE_INFINITY);
}

function decodeInput(value: unknown, i: number): [string, RawInput] {
  const at = `inputs[${i}]`;
  if (!isObject(value)) throw bad(`${at} must be an object {name, shape, datatype, data}`, at);
  const { name, shape, datatype, data } = value;
  if (typeof name !== "string" || name === "")
    throw bad(`${at}.name must be a non-empty string`, `${at}.name`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
    throw bad(`Input '${name}': shape must be an array of non-negative integers, e.g. [2, 1]`, `${at}.shape`);
  }
  if (typeof datatype !== "string" || !DATATYPES.has(datatype)) {
    throw bad(`Input '${name}': datatype must be one of ${[...DATATYPES].join(", ")}`, `${at}.datatype`);
  }
  if (!Array.isArray(data))
    throw bad(`Input '${name}': data must be an array (flat, row-major, or nested)`, `${at}.data`);
  if (value.parameters !== undefined && !isObject(value.parameters))
    throw bad(`Input '${name}': parameters must be an object`, `${at}.parameters`);
  return [name, { values: flatten(data), shape: shape as number[], datatype }];
}

function decodeOutputs(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value)) throw bad("outputs must be an array of {name}", "outputs");
  return value.map((o, i) => {
    if (!isObject(o) || typeof o.name !== "string")
      throw bad(`outputs[${i}] must be an object with a name`, `outputs[${i}].name`);
    return o.name;
  });
}

/**
 * Decodes an OIP v2 REST inference request body `{id?, parameters?, inputs: [{name, shape, datatype, data,
 * parameters?}], outputs?: [{name}]}` (JSON tensors; BYTES as strings). Throws SERVING_INPUT_FORMAT.
 */
export function decodeInferRequest(
  body: unknown,
  deployment: string,
  version: number | undefined,
  requestId: string,
): InferRequest {
  if (!isObject(body))
    throw bad("The inference request must be a JSON object with an 'inputs' array", "body");
  if (!Array.isArray(body.inputs) || body.inputs.length === 0)
    throw bad("The inference request needs a non-empty 'inputs' array", "inputs");
  if (body.id !== undefined && typeof body.id !== "string") throw bad("id must be a string", "id");
  if (body.parameters !== undefined && !isObject(body.parameters))
    throw bad("parameters must be an object", "parameters");
  const inputs: Record<string, RawInput> = {};
  body.inputs.forEach((value, i) => {
    const [name, raw] = decodeInput(value, i);
    if (inputs[name]) throw bad(`Input '${name}' is given twice`, `inputs[${i}].name`);
    inputs[name] = raw;
  });
  const routing = isObject(body.parameters) ? body.parameters.routing_key : undefined;
  const req: InferRequest = {
    deployment,
    requestId: (body.id as string | undefined) ?? requestId,
    protocol: "v2",
    inputs,
  };
  if (version !== undefined) req.version = version;
  const outputs = decodeOutputs(body.outputs);
  if (outputs) req.outputs = outputs;
  if (typeof routing === "string" || typeof routing === "number") req.routingKey = String(routing);
  return req;
}

/** The OIP v2 inference response `{model_name, model_version, id, parameters, outputs: [{name, shape, datatype, data}]}`. */
export function encodeInferResponse(result: InferResult, id: string | undefined): Record<string, unknown> {
  const outputs = Object.entries(result.outputs).map(([name, t]) => ({
    name,
    datatype: V2_DATATYPES[t.dtype],
    shape: t.shape,
    data: flatValues(t),
  }));
  const out: Record<string, unknown> = {
    model_name: result.deployment,
    model_version: String(result.version),
  };
  if (id !== undefined) out.id = id;
  out.parameters = { variant: result.variant, registered_model: result.model };
  out.outputs = outputs;
  return out;
}
