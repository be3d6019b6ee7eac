// Drives the demo page in Debian's headless Chromium through playwright-core, served from
// 127.0.0.1 by serve.mjs. Shared by the page's test (js/test/demo.test.mjs) and the main job's
// screenshot (js/demo/screenshot.mjs).
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { chromium } from 'playwright-core';
import { REPO, startDemoServer } from './serve.mjs';

/** Debian's Chromium (scripts/setup.sh installs it); PEGKIT_CHROMIUM overrides. */
export const CHROMIUM = process.env.PEGKIT_CHROMIUM ?? '/usr/bin/chromium';
/** Where screenshots go. */
export const SHOTS = join(REPO, 'target', 'demo');
/** Upper bound of every wait on the page, in ms (a whole real-example run takes about a second). */
const TIMEOUT = 60_000;

/** Debian's headless Chromium through playwright-core (also used by bench/run.mjs). */
export async function launchChromium() {
  if (!existsSync(CHROMIUM)) throw new Error(`no browser at ${CHROMIUM}: scripts/setup.sh installs Debian's chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update'],
    timeout: TIMEOUT,
  });
}

/**
 * Starts the server and Chromium and opens the page once pegkit has loaded in it.
 * `close()` stops both, whatever state they are in; call it in a `finally`.
 * `errors` collects the page's uncaught exceptions and console errors.
 */
export async function openDemo() {
  let server = null;
  let browser = null;
  const errors = [];
  const close = async () => {
    await browser?.close().catch(() => {});
    await server?.close();
  };
  try {
    server = await startDemoServer();
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.setDefaultTimeout(TIMEOUT);
    page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console error: ${m.text()}`);
    });
    await page.goto(server.pageUrl);
    await page.waitForSelector('body[data-ready="true"]');
    return { page, url: server.pageUrl, errors, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Clicks `selector` and waits until the result box `box` finished one more run. */
async function clickAndWait(page, selector, box) {
  const runs = await page.$eval(box, (b) => Number(b.dataset.runs ?? 0));
  await page.click(selector);
  await page.waitForFunction(
    ([b, n]) => Number(document.querySelector(b).dataset.runs ?? 0) > n,
    [box, runs],
    { timeout: TIMEOUT },
  );
}

/** What a result box shows: its state, code (on failure) and each `data-field`'s text. */
export function readBox(page, box) {
  return page.$eval(box, (b) => ({
    state: b.dataset.state,
    code: b.dataset.code,
    fields: Object.fromEntries([...b.querySelectorAll('[data-field]')].map((f) => [f.dataset.field, f.textContent])),
  }));
}

/** The header sync's progress bar and status line. */
export function readSync(page) {
  return page.evaluate(() => {
    const bar = document.getElementById('sync-progress');
    const status = document.getElementById('sync-status');
    return { value: bar.value, max: bar.max, state: status.dataset.state, height: status.dataset.height, text: status.textContent };
  });
}

/** Runs the real example (`tamper` null) or a tampered copy: 'proof', 'header', 'federation', 'confirmations'. */
export async function runExample(page, tamper = null) {
  if (tamper) {
    await page.selectOption('#tamper-kind', tamper);
    await clickAndWait(page, '#load-tampered', '#verdict');
  } else {
    await clickAndWait(page, '#load-real', '#verdict');
  }
  return readBox(page, '#verdict');
}

/** Fills the peg-in form (any field left out keeps its value) and presses Verify. */
export async function verifyInputs(page, inputs) {
  const ids = {
    network: 'network',
    startHeight: 'start-height',
    headers: 'headers',
    proof: 'proof',
    tx: 'tx',
    federationScripts: 'federation-scripts',
    minConfirmations: 'min-confirmations',
    minAmount: 'min-amount',
    maxAmount: 'max-amount',
    fee: 'fee',
  };
  for (const [k, v] of Object.entries(inputs)) {
    if (k === 'network') await page.selectOption('#network', v);
    else await page.fill(`#${ids[k]}`, String(v));
  }
  await clickAndWait(page, '#verify', '#verdict');
  return readBox(page, '#verdict');
}

/** Fills the federation form and presses Build; `recovery` = { afterBlocks, threshold, publicKeys }. */
export async function buildFederation(page, { network, kind = 'taproot', threshold, publicKeys, recovery = null }) {
  await page.selectOption('#fed-network', network);
  await page.selectOption('#fed-kind', kind);
  await page.fill('#fed-threshold', String(threshold));
  await page.fill('#fed-keys', publicKeys.join('\n'));
  await page.$eval('#fed-recovery-box', (d, open) => {
    d.open = open;
  }, recovery !== null);
  if (recovery) {
    await page.fill('#fed-recovery-after', String(recovery.afterBlocks));
    await page.fill('#fed-recovery-threshold', String(recovery.threshold));
    await page.fill('#fed-recovery-keys', recovery.publicKeys.join('\n'));
  } else {
    // No recovery leaf: the (closed) box's keys are emptied.
    await page.$eval('#fed-recovery-keys', (t) => {
      t.value = '';
    });
  }
  await clickAndWait(page, '#fed-build', '#federation-result');
  return readBox(page, '#federation-result');
}

/** A screenshot at `target/demo/NAME.png`, of the whole page or of `selector`; returns its path. */
export async function screenshot(page, name, selector = null) {
  const path = join(SHOTS, `${name}.png`);
  mkdirSync(dirname(path), { recursive: true });
  if (selector) await page.locator(selector).screenshot({ path });
  else await page.screenshot({ path, fullPage: true });
  return path;
}
