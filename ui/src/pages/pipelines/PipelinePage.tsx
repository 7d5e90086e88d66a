import { Link, useParams } from "react-router";
import { getPipeline, listRuns } from "../../api/pipelines.js";
import { Graph } from "../../components/Graph.js";
import { ErrorBox, Loading } from "../../components/Status.js";
import { useApi } from "../../lib/use-api.js";
import { RunsList } from "./PipelinesPage.js";
import { RunForm } from "./RunForm.js";

/** A pipeline definition: its DAG, parameters and its runs. */
export function PipelinePage() {
  const { name = "" } = useParams();
  const def = useApi((s) => getPipeline(name, s), [name]);
  const runs = useApi((s) => listRuns(name, s), [name], 2000);
  const plan = def.data?.plan;
  return (
    <section className="page">
      <p className="crumbs">
        <Link to="/pipelines">Pipelines</Link> /
      </p>
      <h1>{name}</h1>
      <ErrorBox error={def.error} />
      {!def.data && !def.error ? <Loading what="pipeline" /> : null}
      {plan ? (
        <div className="card">
          {plan.description ? <p>{plan.description}</p> : null}
          <Graph
            nodes={plan.steps.map((s) => ({
              id: s.id,
              label: (
                <div className="node-label">
                  <span className="node-title">{s.id}</span>
                  <span className="node-kind">
                    {s.run.kind}
                    {s.policy.cache ? " · cached" : ""}
                    {s.policy.retries ? ` · ${s.policy.retries} retries` : ""}
                  </span>
                </div>
              ),
            }))}
            edges={plan.steps.flatMap((s) => s.dependsOn.map((d) => ({ from: d, to: s.id })))}
            height={Math.min(520, 140 + 40 * plan.steps.length)}
            testId="definition-dag"
          />
        </div>
      ) : null}
      {def.data ? (
        <div className="card">
          <h2>Start a run</h2>
          <RunForm name={name} params={def.data.plan.params} />
        </div>
      ) : null}
      <div className="card">
        <h2>Runs</h2>
        <ErrorBox error={runs.error} />
        <RunsList runs={runs.data} />
      </div>
    </section>
  );
}
