import { describe, expect, it } from "vitest";
import { parseMonitor, publicMonitor, redactUrl } from "./monitors.js";

describe("monitor secrets", () => {
  it("shows a webhook's scheme and host, never its path, query, user info or header values", () => {
    expect(redactUrl("https://hooks.slack.com/services/T000/B000/XXXX")).toBe("https://hooks.slack.com/…");
    expect(redactUrl("https://user:pw@alerts.example.com:8443/?token=abc")).toBe(
      "https://alerts.example.com:8443/…",
    );
    expect(redactUrl("http://127.0.0.1:9000/")).toBe("http://127.0.0.1:9000/");
    const m = parseMonitor({
      name: "m",
      deployment: "flights",
      window: { type: "time", size: "1h" },
      reference: { type: "profile" },
      alert: {
        actions: [
          {
            type: "webhook",
            url: "https://hooks.slack.com/services/T0/B0/secret",
            headers: { authorization: "Bearer s3cr3t" },
          },
          { type: "log" },
        ],
      },
    });
    const shown = JSON.stringify(publicMonitor(m));
    expect(shown).not.toMatch(/secret|s3cr3t/);
    expect(publicMonitor(m).alert.actions).toEqual([
      {
        type: "webhook",
        url: "https://hooks.slack.com/…",
        format: "json",
        headers: { authorization: "(hidden)" },
      },
      { type: "log" },
    ]);
    // The definition the alerts use keeps its URL.
    expect(m.alert.actions[0]).toMatchObject({ url: "https://hooks.slack.com/services/T0/B0/secret" });
  });
});
