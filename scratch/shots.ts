import { chromium } from "playwright-core";
const base = process.argv[2]!;
const pages = process.argv.slice(3);
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
const errors: string[] = [];
page.on("console", (m) => { if (m.type() === "error") errors.push(`${page.url()}: ${m.text()}`); });
for (const p of pages) {
  await page.goto(`${base}${p}`);
  await page.waitForTimeout(2500);
  const name = p.replace(/[^a-z0-9]+/gi, "_") || "root";
  await page.screenshot({ path: `/tmp/shots/${name}.png` });
  console.log("shot", p);
}
console.log("console errors:", errors);
await browser.close();
