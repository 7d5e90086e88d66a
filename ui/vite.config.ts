import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

/** The web UI: `npm run build:ui` writes ui/dist, which `gyre server` serves at `/`. `vite ui` proxies the API to a local server. */
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: "dist", emptyOutDir: true, chunkSizeWarningLimit: 1500 },
  server: {
    proxy: {
      "/api": process.env.GYRE_URL ?? "http://127.0.0.1:5000",
    },
  },
});
