// The suite in the browser: bench/run.mjs bundles this file with esbuild (platform browser) into
// target/bench/browser/bench.js and opens it in headless Chromium. pegkit is the package's web
// entry (`pegkit/web`, explicit init); the data comes from the static server over fetch; the clock
// is performance.now().
import init, * as pegkit from 'pegkit/web';
import { runSuite } from './suite.mjs';

/** Runs the selection and returns the rows; progress goes to the console ("[bench] …"). */
window.pegkitBench = async ({ selection, wasmUrl, dataUrl }) => {
  await init({ module_or_path: wasmUrl });
  const load = async (name) => {
    const res = await fetch(new URL(name, new URL(dataUrl, location.href)));
    if (!res.ok) throw new Error(`${name}: HTTP ${res.status}`);
    return res.text();
  };
  return runSuite({ pegkit, load, now: () => performance.now(), selection, log: (line) => console.log(`[bench] ${line}`) });
};
document.body.dataset.ready = 'true';
