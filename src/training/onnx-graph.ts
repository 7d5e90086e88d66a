import onnxProto from "onnx-proto";

const { onnx } = onnxProto;
const DataType = onnx.TensorProto.DataType;
const AttributeType = onnx.AttributeProto.AttributeType;

/** The ai.onnx opset the exporter targets (OneHot-11 and Reshape-14 semantics). */
export const ONNX_OPSET = 17;
/** The ai.onnx.ml opset the exporter targets (LabelEncoder with keys_strings / values_int64s). */
export const ONNX_ML_OPSET = 3;
/** ONNX IR version matching opset 17. */
const IR_VERSION = 8;

/** Element types the exporter declares on graph inputs and outputs. */
export type GraphDtype = "float32" | "string";

/** A node attribute value: int, float, string list or int list (the kinds the exporter uses). */
export type AttributeValue = { int: number } | { float: number } | { strings: string[] } | { ints: number[] };

const encoder = new TextEncoder();

function attribute(name: string, value: AttributeValue): onnxProto.onnx.IAttributeProto {
  if ("int" in value) return { name, type: AttributeType.INT, i: value.int };
  if ("float" in value) return { name, type: AttributeType.FLOAT, f: value.float };
  if ("ints" in value) return { name, type: AttributeType.INTS, ints: value.ints };
  return { name, type: AttributeType.STRINGS, strings: value.strings.map((s) => encoder.encode(s)) };
}

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
}

/**
 * Accumulates the nodes, initializers, inputs and outputs of one ONNX graph and serialises it as a
 * ModelProto. Tensors are stored little-endian in `raw_data`, as ONNX requires.
 */
export class GraphBuilder {
  readonly #nodes: onnxProto.onnx.INodeProto[] = [];
  readonly #initializers: onnxProto.onnx.ITensorProto[] = [];
  readonly #inputs: onnxProto.onnx.IValueInfoProto[] = [];
  readonly #outputs: onnxProto.onnx.IValueInfoProto[] = [];

  /** Declares a graph input; -1 dims become the symbolic batch dim `N`. */
  input(name: string, dtype: GraphDtype, shape: number[]): string {
    this.#inputs.push(valueInfo(name, dtype, shape));
    return name;
  }

  /** Declares a graph output produced by some node. */
  output(name: string, dtype: GraphDtype, shape: number[]): string {
    this.#outputs.push(valueInfo(name, dtype, shape));
    return name;
  }

  /** Adds a float32 constant; returns its name. */
  floats(name: string, dims: number[], values: Float32Array): string {
    this.#initializers.push({ name, dims, dataType: DataType.FLOAT, rawData: bytesOf(values) });
    return name;
  }

  /** Adds an int64 constant; returns its name. */
  int64s(name: string, dims: number[], values: number[]): string {
    const data = BigInt64Array.from(values, (v) => BigInt(v));
    this.#initializers.push({ name, dims, dataType: DataType.INT64, rawData: bytesOf(data) });
    return name;
  }

  /** Adds a node with one output; returns the output's name. `domain` "" is ai.onnx. */
  node(
    opType: string,
    inputs: string[],
    output: string,
    attributes: Record<string, AttributeValue> = {},
    domain = "",
  ): string {
    this.#nodes.push({
      opType,
      domain,
      name: output,
      input: inputs,
      output: [output],
      attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
    });
    return output;
  }

  /** Serialises the graph with opset imports for ai.onnx and ai.onnx.ml. */
  encode(graphName: string, docString: string): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      producerName: "gyre",
      producerVersion: "0.1.0",
      docString,
      opsetImport: [
        { domain: "", version: ONNX_OPSET },
        { domain: "ai.onnx.ml", version: ONNX_ML_OPSET },
      ],
      graph: {
        name: graphName,
        node: this.#nodes,
        initializer: this.#initializers,
        input: this.#inputs,
        output: this.#outputs,
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function valueInfo(name: string, dtype: GraphDtype, shape: number[]): onnxProto.onnx.IValueInfoProto {
  const dim = shape.map((d) => (d < 0 ? { dimParam: "N" } : { dimValue: d }));
  const elemType = dtype === "float32" ? DataType.FLOAT : DataType.STRING;
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}
