#!/usr/bin/env node
// The main job's browser half (scripts/demo.sh): opens the demo page in headless Chromium from a
// 127.0.0.1 server, verifies the real mainnet peg-in and one tampered copy there, prints what the
// page shows and writes its screenshots to target/demo/. Opens nothing on screen.
//   node js/demo/screenshot.mjs
import { openDemo, readSync, runExample, screenshot } from './browser.mjs';

const demo = await openDemo();
let failed = false;
try {
  const { page } = demo;
  console.log(`demo page ${demo.url} in headless Chromium`);

  const verdict = await runExample(page);
  const sync = await readSync(page);
  console.log(`  header sync: ${sync.text}`);
  console.log(`  real example: ${verdict.state}`);
  for (const [field, text] of Object.entries(verdict.fields)) console.log(`    ${field.padEnd(14)}${text}`);
  failed ||= verdict.state !== 'verified';
  const shot = await screenshot(page, 'demo-page');

  const tampered = await runExample(page, 'proof');
  console.log(`  tampered example (one bit of the proof flipped): ${tampered.state}, ${tampered.code}: ${tampered.fields.message}`);
  failed ||= tampered.code !== 'merkle_root_mismatch';
  const shotTampered = await screenshot(page, 'demo-page-tampered');

  for (const e of demo.errors) console.log(`  ${e}`);
  failed ||= demo.errors.length > 0;
  console.log(`screenshots: ${shot}\n             ${shotTampered}`);
  console.log('to use the page yourself: node js/demo/serve.mjs, then open http://127.0.0.1:8080/js/demo/');
} finally {
  await demo.close();
}
if (failed) {
  console.log('the page did not show the expected verdicts');
  process.exit(1);
}
