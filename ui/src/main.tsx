import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createBrowserRouter, Link, Navigate, RouterProvider } from "react-router";
import { Shell } from "./components/Shell.js";
import { applyTheme, storedTheme } from "./lib/theme.js";
import { ComparePage } from "./pages/compare/ComparePage.js";
import { ExperimentsPage } from "./pages/ExperimentsPage.js";
import { ModelPage } from "./pages/models/ModelPage.js";
import { ModelsPage } from "./pages/models/ModelsPage.js";
import { VersionPage } from "./pages/models/VersionPage.js";
import { PipelinePage } from "./pages/pipelines/PipelinePage.js";
import { PipelineRunPage } from "./pages/pipelines/PipelineRunPage.js";
import { PipelinesPage } from "./pages/pipelines/PipelinesPage.js";
import { RunPage } from "./pages/run/RunPage.js";
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

/** Every view has its own URL (shareable, reloadable; the server answers unknown paths with index.html). */
const router = createBrowserRouter([
  {
    element: <Shell />,
    children: [
      { index: true, element: <Navigate to="/experiments" replace /> },
      { path: "experiments", element: <ExperimentsPage /> },
      { path: "experiments/:experimentId", element: <RunsPage /> },
      { path: "runs/:runId", element: <RunPage /> },
      { path: "compare", element: <ComparePage /> },
      { path: "models", element: <ModelsPage /> },
      { path: "models/:name", element: <ModelPage /> },
      { path: "models/:name/versions/:version", element: <VersionPage /> },
      { path: "pipelines", element: <PipelinesPage /> },
      { path: "pipelines/runs/:runId", element: <PipelineRunPage /> },
      { path: "pipelines/:name", element: <PipelinePage /> },
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
