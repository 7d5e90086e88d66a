import { useEffect, useState } from "react";
import { NavLink, Outlet } from "react-router";
import { applyTheme, storedTheme, type ThemeChoice } from "../lib/theme.js";

/** The app's sections, in the order of the ML loop. */
export const SECTIONS: Array<{ to: string; label: string }> = [
  { to: "/features", label: "Features" },
  { to: "/experiments", label: "Experiments" },
  { to: "/models", label: "Models" },
  { to: "/pipelines", label: "Pipelines" },
  { to: "/deployments", label: "Deployments" },
  { to: "/monitoring", label: "Monitoring" },
];

const NEXT: Record<ThemeChoice, ThemeChoice> = { system: "light", light: "dark", dark: "system" };

function ThemeToggle() {
  const [choice, setChoice] = useState<ThemeChoice>(storedTheme);
  useEffect(() => {
    applyTheme(choice);
    if (choice !== "system") return;
    const media = matchMedia("(prefers-color-scheme: dark)");
    const follow = () => applyTheme("system");
    media.addEventListener("change", follow);
    return () => media.removeEventListener("change", follow);
  }, [choice]);
  return (
    <button
      type="button"
      className="theme-toggle"
      onClick={() => setChoice(NEXT[choice])}
      title="Switch theme"
    >
      Theme: {choice}
    </button>
  );
}

/** Header with the sections and the theme switch; pages render below. */
export function Shell() {
  return (
    <div className="shell">
      <header className="topbar">
        <NavLink to="/" className="brand">
          gyre
        </NavLink>
        <nav aria-label="Sections">
          {SECTIONS.map((s) => (
            <NavLink key={s.to} to={s.to}>
              {s.label}
            </NavLink>
          ))}
        </nav>
        <span className="spacer" />
        <a href="/api/v1/openapi.json" className="muted">
          API
        </a>
        <ThemeToggle />
      </header>
      <main>
        <Outlet />
      </main>
    </div>
  );
}
