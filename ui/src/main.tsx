import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createBrowserRouter, Link, Navigate, RouterProvider } from "react-router";
import { Shell } from "./components/Shell.js";
import { applyTheme, storedTheme } from "./lib/theme.js";
import { ExperimentsPage } from "./pages/ExperimentsPage.js";
import { RunsPage } from "./pages/runs/RunsPage.js";
import "./styles.css";

function NotFound() {
  return (
    <section className="page">
      <h1>Page not found</h1>
      <p>
        Nothing here. Go to <Link to="/experiments">Experiments</Link>.
      </p>
    </section>
  );
}

/**
 * Pages with charts and graphs (uPlot, React Flow) load on first visit, so the runs table — the usual
 * landing page — does not wait for code it does not use.
 */
const page =
  <M,>(load: () => Promise<M>, name: keyof M) =>
  async () => ({ Component: (await load())[name] as React.ComponentType });

/** Every view has its own URL (shareable, reloadable; the server answers unknown paths with index.html). */
const router = createBrowserRouter([
  {
    element: <Shell />,
    children: [
      { index: true, element: <Navigate to="/experiments" replace /> },
      { path: "experiments", element: <ExperimentsPage /> },
      { path: "experiments/:experimentId", element: <RunsPage /> },
      { path: "runs/:runId", lazy: page(() => import("./pages/run/RunPage.js"), "RunPage") },
      { path: "compare", lazy: page(() => import("./pages/compare/ComparePage.js"), "ComparePage") },
      { path: "models", lazy: page(() => import("./pages/models/ModelsPage.js"), "ModelsPage") },
      { path: "models/:name", lazy: page(() => import("./pages/models/ModelPage.js"), "ModelPage") },
      {
        path: "models/:name/versions/:version",
        lazy: page(() => import("./pages/models/VersionPage.js"), "VersionPage"),
      },
      { path: "pipelines", lazy: page(() => import("./pages/pipelines/PipelinesPage.js"), "PipelinesPage") },
      {
        path: "pipelines/runs/:runId",
        lazy: page(() => import("./pages/pipelines/PipelineRunPage.js"), "PipelineRunPage"),
      },
      {
        path: "pipelines/:name",
        lazy: page(() => import("./pages/pipelines/PipelinePage.js"), "PipelinePage"),
      },
      {
        path: "deployments",
        lazy: page(() => import("./pages/deployments/DeploymentsPage.js"), "DeploymentsPage"),
      },
      {
        path: "deployments/:name",
        lazy: page(() => import("./pages/deployments/DeploymentPage.js"), "DeploymentPage"),
      },
      {
        path: "monitoring",
        lazy: page(() => import("./pages/monitoring/MonitoringPage.js"), "MonitoringPage"),
      },
      {
        path: "monitoring/:deployment",
        lazy: page(() => import("./pages/monitoring/DeploymentPage.js"), "DeploymentPage"),
      },
      { path: "features", lazy: page(() => import("./pages/features/FeaturesPage.js"), "FeaturesPage") },
      {
        path: "features/views/:name",
        lazy: page(() => import("./pages/features/ViewPage.js"), "ViewPage"),
      },
      { path: "*", element: <NotFound /> },
    ],
  },
]);

applyTheme(storedTheme());
createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <RouterProvider router={router} />
  </StrictMode>,
);
