// The chat page of jllm serve in headless Chromium: type a message, watch the reply stream in, take a screenshot;
// with --stop, also stop a long reply with the Stop button; with --classify (a classification model), see the
// label and the probabilities instead; with --api-key KEY (a server started with one), check that the page asks for
// the key, that a wrong one is refused, and give it the right one.
// Usage: node chat-page.mjs URL SCREENSHOT.png [--stop | --classify] [--api-key KEY]
// (CHROMIUM=path overrides /usr/bin/chromium)
import { chromium } from "playwright-core";

const [url, screenshot, ...flags] = process.argv.slice(2);
const keyAt = flags.indexOf("--api-key");
const apiKey = keyAt >= 0 ? flags[keyAt + 1] : null;
if (!url || !screenshot) {
  console.error("usage: node chat-page.mjs URL SCREENSHOT.png [--stop | --classify]");
  process.exit(2);
}
const executablePath = process.env.CHROMIUM || "/usr/bin/chromium";

function fail(message) {
  console.error("chat-page: FAILED: " + message);
  process.exit(1);
}

let browser;
try {
  browser = await chromium.launch({
    executablePath,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
} catch (e) {
  fail(`could not start Chromium at ${executablePath}: ${e.message.split("\n")[0]}`);
}
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: 640 } });
  const problems = [];
  page.on("pageerror", (e) => problems.push(e.message));
  await page.goto(url);
  await page.waitForFunction(() => document.getElementById("model").textContent.includes("context"), null, { timeout: 15_000 })
    .catch(() => fail("the page never showed the model (GET /health)"));

  if (apiKey) {
    if (await page.isHidden("#api-key")) fail("the page does not ask for the API key the server needs");
    await page.fill("#api-key", "wrong-" + apiKey);
    await page.fill("#message", "Hello?");
    await page.press("#message", "Enter");
    await page.waitForSelector(".message.error", { timeout: 15_000 }).catch(() => fail("a wrong key showed no error"));
    const refused = await page.textContent(".message.error");
    if (!refused.includes("API key")) fail("a wrong key's error does not say so: " + refused);
    await page.click("#clear");
    await page.fill("#api-key", apiKey);
  } else if (await page.isVisible("#api-key")) {
    fail("the page asks for an API key the server does not need");
  }

  if (flags.includes("--classify")) {
    const header = await page.textContent("#model");
    if (!header.includes("(classifier)")) fail("the page does not say the model is a classifier: " + header);
    await page.fill("#message", "WINNER!! Claim your free prize now");
    await page.press("#message", "Enter");
    await page.waitForSelector(".message.assistant[data-finish]", { timeout: 30_000 })
      .catch(() => fail("no classification appeared"));
    const answer = page.locator(".message.assistant").last();
    const label = await answer.evaluate((el) => el.firstChild.textContent);
    const rows = await answer.locator(".probabilities li").allTextContents();
    if (rows.length < 2 || !rows.some((r) => r.startsWith(label + " "))) {
      fail("the answer shows no label with probabilities: " + label + " / " + JSON.stringify(rows));
    }
    await page.screenshot({ path: screenshot, fullPage: true });
    if (problems.length > 0) fail("errors in the page: " + problems.join("; "));
    console.log("chat-page: OK " + JSON.stringify({ label, rows, screenshot }));
    process.exit(0);
  }

  // Count every change of the conversation: a streamed reply changes it many times.
  await page.evaluate(() => {
    window.updates = 0;
    new MutationObserver(() => window.updates++).observe(document.getElementById("conversation"),
      { subtree: true, childList: true, characterData: true });
  });
  await page.fill("#temperature", "0.8");
  await page.fill("#max-tokens", "40");
  await page.fill("#seed", "7");
  await page.fill("#message", "Hello! Tell me a story.");
  await page.press("#message", "Enter");
  const reply = page.locator(".message.assistant").last();
  await reply.waitFor();
  await page.waitForSelector(".message.assistant[data-finish]", { timeout: 60_000 })
    .catch(() => fail("the reply never finished"));
  const finish = await reply.getAttribute("data-finish");
  const text = await reply.evaluate((el) => el.firstChild ? el.firstChild.textContent : "");
  const updates = await page.evaluate(() => window.updates);
  if (!["stop", "length"].includes(finish)) fail("the reply ended with " + finish + ": " + await reply.textContent());
  if (text.length === 0) fail("the reply is empty");
  if (updates < 5) fail("the reply did not stream (" + updates + " updates)");
  await page.screenshot({ path: screenshot, fullPage: true });
  let stopped = null;
  if (flags.includes("--stop")) {
    await page.fill("#max-tokens", "120");
    await page.fill("#message", "Now a long one, please.");
    await page.click("#send");
    const long = page.locator(".message.assistant").nth(1);
    await page.waitForFunction(() => {
      const replies = document.querySelectorAll(".message.assistant");
      return replies.length === 2 && replies[1].textContent.length > 0;
    }, null, { timeout: 30_000 }).catch(() => fail("the second reply never started"));
    await page.click("#stop");
    await page.waitForFunction(() => document.querySelectorAll(".message.assistant")[1].dataset.finish, null,
      { timeout: 30_000 }).catch(() => fail("the second reply never ended after Stop"));
    stopped = await long.getAttribute("data-finish");
    if (stopped !== "aborted") fail("the Stop button did not stop the reply (finish: " + stopped + ")");
    if (await page.isDisabled("#send")) fail("Send stays disabled after Stop");
  }
  if (problems.length > 0) fail("errors in the page: " + problems.join("; "));
  console.log("chat-page: OK " + JSON.stringify({ finish, updates, chars: text.length, stopped, screenshot }));
} finally {
  await browser.close();
}
