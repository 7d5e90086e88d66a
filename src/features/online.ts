import { GyreError } from "../core/errors.js";
import type { Catalog, FeatureRef } from "./catalog.js";
import type { OnlineStore, OnlineValue } from "./online-store.js";
import type {
  EntityKeyValue,
  FeatureStatus,
  FeatureValue,
  KeyType,
  OnDemandFeatureViewDef,
  OnlineRequest,
  OnlineResponse,
} from "./types.js";

/** What one request needs, resolved once per distinct feature list and reused. */
interface ReadPlan {
  refs: FeatureRef[];
  /** Stored views to read (including inputs of on-demand views), with their keys. */
  views: Array<{ name: string; keys: Array<{ name: string; type: KeyType }>; ttlMs: number }>;
  joinKeys: Array<{ name: string; type: KeyType; view: string }>;
  onDemand: OnDemandFeatureViewDef[];
}

/** The online store key of an entity: its join-key values in key order, joined by U+001F. */
export function onlineKey(row: Record<string, EntityKeyValue>, keys: Array<{ name: string }>): string {
  return keys.length === 1 ? String(row[keys[0]!.name]) : keys.map((k) => String(row[k.name])).join("\u001f");
}

function checkKey(row: Record<string, unknown>, i: number, k: { name: string; type: KeyType; view: string }) {
  const v = row[k.name];
  const ok = k.type === "string" ? typeof v === "string" : typeof v === "number" && Number.isSafeInteger(v);
  if (ok) return;
  const what = v === undefined ? "is missing" : `is ${JSON.stringify(v)} (${typeof v})`;
  throw new GyreError(
    "FEATURES_ENTITY_KEY_INVALID",
    `Entity row ${i}: join key '${k.name}' of view '${k.view}' ${what}; it must be ${k.type === "string" ? "a string" : "an integer"}`,
    { field: `entityRows[${i}].${k.name}` },
  );
}

/** Online lookups over one catalog: reads stored views, applies TTLs, runs on-demand functions. */
export class OnlineReader {
  readonly #plans = new Map<string, ReadPlan>();

  constructor(
    private readonly catalog: Catalog,
    private readonly store: OnlineStore,
    private readonly functions: Map<string, OnDemandFeatureViewDef>,
  ) {}

  #plan(req: OnlineRequest): ReadPlan {
    const cacheKey =
      req.featureService !== undefined ? `svc:${req.featureService}` : (req.features ?? []).join(",");
    let plan = this.#plans.get(cacheKey);
    if (plan) return plan;
    const refs = this.catalog.resolve(req);
    const viewNames = new Set(refs.filter((r) => !r.onDemand).map((r) => r.view));
    const onDemand: OnDemandFeatureViewDef[] = [];
    for (const name of new Set(refs.filter((r) => r.onDemand).map((r) => r.view))) {
      const fn = this.functions.get(name);
      if (!fn)
        throw new GyreError(
          "FEATURES_DEFINITION_INVALID",
          `On-demand view '${name}' has no function in this process; load the gyre.config.ts that defines it`,
          {
            field: `${name}.compute`,
          },
        );
      onDemand.push(fn);
      for (const input of this.catalog.resolve({ features: fn.inputs })) viewNames.add(input.view);
    }
    const views = [...viewNames].map((name) => {
      const v = this.catalog.view(name);
      return { name, keys: this.catalog.keysOf(v), ttlMs: v.ttlSeconds * 1000 };
    });
    const joinKeys = new Map<string, { name: string; type: KeyType; view: string }>();
    for (const v of views)
      for (const k of v.keys) if (!joinKeys.has(k.name)) joinKeys.set(k.name, { ...k, view: v.name });
    plan = { refs, views, joinKeys: [...joinKeys.values()], onDemand };
    if (this.#plans.size < 1000) this.#plans.set(cacheKey, plan);
    return plan;
  }

  /** See FeatureService.getOnlineFeatures. `now` is ms since the epoch, for TTLs. */
  async get(req: OnlineRequest, now: number): Promise<OnlineResponse> {
    const plan = this.#plan(req);
    req.entityRows.forEach((row, i) => {
      for (const k of plan.joinKeys) checkKey(row, i, k);
    });
    const stored = new Map<string, Map<string, OnlineValue>>();
    for (const v of plan.views) {
      const keys = req.entityRows.map((row) => onlineKey(row, v.keys));
      stored.set(v.name, await this.store.read(v.name, keys));
    }
    const results = req.entityRows.map((row, i) => this.#row(plan, stored, row, i, now));
    return { featureNames: [...plan.joinKeys.map((k) => k.name), ...plan.refs.map((r) => r.ref)], results };
  }

  #row(
    plan: ReadPlan,
    stored: Map<string, Map<string, OnlineValue>>,
    row: Record<string, EntityKeyValue>,
    i: number,
    now: number,
  ) {
    const values: FeatureValue[] = plan.joinKeys.map((k) => row[k.name] as FeatureValue);
    const statuses: FeatureStatus[] = plan.joinKeys.map(() => "PRESENT");
    const eventTimestamps: Array<number | null> = plan.joinKeys.map(() => null);
    // One stored row per view and entity, looked up once however many of its features are asked for.
    const rows = new Map<string, { hit: OnlineValue | undefined; stale: boolean }>();
    for (const v of plan.views) {
      const hit = stored.get(v.name)!.get(onlineKey(row, v.keys));
      rows.set(v.name, { hit, stale: hit !== undefined && v.ttlMs > 0 && now - hit.eventTime > v.ttlMs });
    }
    const lookup = (view: string, feature: string) => {
      const { hit, stale } = rows.get(view)!;
      if (!hit) return { value: null, status: "MISSING" as const, ts: null };
      if (stale) return { value: null, status: "OUTSIDE_TTL" as const, ts: hit.eventTime };
      const value = hit.values[feature] ?? null;
      return {
        value,
        status: value === null ? ("MISSING" as const) : ("PRESENT" as const),
        ts: hit.eventTime,
      };
    };
    const computed = new Map<string, Record<string, FeatureValue>>();
    for (const od of plan.onDemand) computed.set(od.name, this.#compute(od, row, i, lookup));
    for (const r of plan.refs) {
      if (r.onDemand) {
        const value = computed.get(r.view)![r.feature] ?? null;
        values.push(value);
        statuses.push(value === null ? "MISSING" : "PRESENT");
        eventTimestamps.push(null);
      } else {
        const got = lookup(r.view, r.feature);
        values.push(got.value);
        statuses.push(got.status);
        eventTimestamps.push(got.ts);
      }
    }
    return { values, statuses, eventTimestamps };
  }

  #compute(
    od: OnDemandFeatureViewDef,
    row: Record<string, EntityKeyValue>,
    i: number,
    lookup: (view: string, feature: string) => { value: FeatureValue },
  ): Record<string, FeatureValue> {
    const input: Record<string, FeatureValue> = {};
    for (const field of Object.keys(od.request)) {
      if (row[field] === undefined)
        throw new GyreError(
          "FEATURES_ENTITY_ROWS_INVALID",
          `Entity row ${i} lacks request field '${field}' that on-demand view '${od.name}' needs`,
          {
            field: `entityRows[${i}].${field}`,
          },
        );
      input[field] = row[field];
    }
    for (const ref of od.inputs) {
      const [view, feature] = ref.split(":") as [string, string];
      const { value } = lookup(view, feature);
      input[ref] = value;
      input[feature] = value;
    }
    try {
      return od.compute(input);
    } catch (e) {
      throw new GyreError(
        "FEATURES_QUERY_FAILED",
        `On-demand view '${od.name}' failed on entity row ${i}: ${(e as Error).message}`,
        {
          field: `${od.name}.compute`,
        },
      );
    }
  }
}
