import { Link } from "react-router";
import { type Definition, ofKind } from "../../api/features.js";

type ViewLink = (view: string) => string;

/** `name: type` chips of a feature map. */
export function Types({ types }: { types: Record<string, string> }) {
  return (
    <>
      {Object.entries(types).map(([k, t]) => (
        <span className="chip" key={k}>
          {k}: {t}
        </span>
      ))}
    </>
  );
}

/** `view:feature` references (a bare `view` means all its features), each linking to its view. */
function FeatureRefs({ refs, viewLink }: { refs: string[]; viewLink: ViewLink }) {
  return (
    <>
      {refs.map((r) => {
        const [view, feature] = r.split(":");
        return (
          <span className="chip" key={r}>
            <Link to={viewLink(view!)}>{view}</Link>
            {feature ? `:${feature}` : " (all features)"}
          </span>
        );
      })}
    </>
  );
}

function Services({ defs, viewLink }: { defs: Definition[]; viewLink: ViewLink }) {
  const services = ofKind(defs, "featureService");
  if (!services.length) return null;
  return (
    <div className="card">
      <h2>Feature services</h2>
      <table className="table" data-testid="services">
        <tbody>
          {services.map((d) => (
            <tr key={d.name}>
              <td>{d.name}</td>
              <td className="wrap">
                <FeatureRefs refs={d.spec.features} viewLink={viewLink} />
              </td>
              <td className="muted">{d.spec.description ?? ""}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function OnDemandViews({ defs, viewLink }: { defs: Definition[]; viewLink: ViewLink }) {
  const views = ofKind(defs, "onDemandFeatureView");
  if (!views.length) return null;
  return (
    <div className="card">
      <h2>On-demand views</h2>
      <table className="table" data-testid="on-demand">
        <thead>
          <tr>
            <th>View</th>
            <th>Inputs</th>
            <th>Request fields</th>
            <th>Features</th>
          </tr>
        </thead>
        <tbody>
          {views.map((d) => (
            <tr key={d.name}>
              <td title={d.spec.compute}>{d.name}</td>
              <td className="wrap">
                <FeatureRefs refs={d.spec.inputs} viewLink={viewLink} />
              </td>
              <td className="wrap">
                <Types types={d.spec.request} />
              </td>
              <td className="wrap">
                <Types types={d.spec.features} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Where a source's rows come from: a file, a versioned dataset, or SQL. */
function location(spec: {
  path?: string;
  dataset?: string;
  datasetVersion?: number;
  query?: string;
}): string {
  if (spec.path) return spec.path;
  if (spec.dataset) return `dataset ${spec.dataset}@${spec.datasetVersion ?? "latest"}`;
  return spec.query ?? "";
}

function EntitiesAndSources({ defs }: { defs: Definition[] }) {
  const entities = ofKind(defs, "entity");
  const sources = ofKind(defs, "source");
  return (
    <div className="cards">
      {entities.length ? (
        <div className="card">
          <h2>Entities</h2>
          <table className="table" data-testid="entities">
            <tbody>
              {entities.map((d) => (
                <tr key={d.name}>
                  <td>{d.name}</td>
                  <td>
                    <Types types={d.spec.joinKeys} />
                  </td>
                  <td className="muted">{d.spec.description ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {sources.length ? (
        <div className="card">
          <h2>Sources</h2>
          <table className="table" data-testid="sources">
            <tbody>
              {sources.map((d) => (
                <tr key={d.name}>
                  <td>{d.name}</td>
                  <td>
                    <code>{location(d.spec)}</code>
                  </td>
                  <td>{d.spec.format ?? (d.spec.query ? "sql" : "")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}

/** Feature services, on-demand views, entities and sources of the registry. */
export function Catalog({ defs, viewLink }: { defs: Definition[]; viewLink: ViewLink }) {
  return (
    <>
      <Services defs={defs} viewLink={viewLink} />
      <OnDemandViews defs={defs} viewLink={viewLink} />
      <EntitiesAndSources defs={defs} />
    </>
  );
}
