// The demo page: verify a peg-in (the real mainnet example, a tampered copy, or pasted inputs)
// with the header chain synced in batches behind a progress bar, and build a federation address
// from keys. Everything is the npm package's browser build (`pegkit/web`, explicit `init`); no
// framework, no bundler. The page is served with the repository's layout (js/demo/serve.mjs), so
// the package is ../pkg/web/ and the real data ../../tests/vectors/mainnet/.
import init, {
  Federation,
  HeaderChain,
  PegkitError,
  decodeBlock,
  encodeTransaction,
  schnorrPublicKey,
  verifyPegIn,
  verifyTxOutProof,
} from '../pkg/web/index.js';

const DATA = new URL('../../tests/vectors/mainnet/', import.meta.url);
/** Headers verified per step of the sync; the progress bar is redrawn between steps. */
const BATCH = 1000;
/** The real example: transaction #1 of block 830000, and Core's gettxoutproof for it. */
const EXAMPLE_POSITION = 1;
const EXAMPLE_START = 822528;

const $ = (id) => document.getElementById(id);

// ---- formatting -------------------------------------------------------------------------------

const group = (n) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const sat = (v) => `${group(v)} sat`;
function btc(v) {
  const s = v.toString().padStart(9, '0');
  return `${s.slice(0, -8)}.${s.slice(-8)} BTC`;
}
const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
/** Non-empty whitespace- or comma-separated tokens. */
const tokens = (text) => text.split(/[\s,]+/).filter(Boolean);

/** `el('dd', { 'data-field': 'x' }, 'text', child…)` */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children);
  return node;
}

function definitions(rows) {
  const dl = el('dl');
  for (const [label, field, ...value] of rows) dl.append(el('dt', {}, label), el('dd', { 'data-field': field }, ...value));
  return dl;
}

/** An error in the page's own reading of a field (pegkit's errors are `PegkitError`s). */
class InputError extends Error {
  code = 'input';
}

function failure(box, error, context) {
  const code = error instanceof PegkitError || error instanceof InputError ? error.code : 'unexpected';
  box.dataset.state = 'failed';
  box.dataset.code = code;
  box.replaceChildren(
    el('h3', {}, '✘ Refused: ', el('code', { 'data-field': 'code' }, code)),
    el('p', { 'data-field': 'message', class: 'message' }, error.message),
  );
  if (context) box.append(el('p', { class: 'aside', 'data-field': 'stage' }, context));
  if (code === 'unexpected') console.error(error);
}

/** Counts finished runs on a result box (`data-runs`), so a driver can wait for the next one. */
const finished = (box) => {
  box.dataset.runs = String(Number(box.dataset.runs ?? 0) + 1);
};

/** Lets the browser paint (the progress bar) before the next synchronous step. */
const nextFrame = () =>
  new Promise((resolve) => {
    requestAnimationFrame(() => setTimeout(resolve, 0));
    setTimeout(resolve, 100); // rAF does not fire in a hidden tab
  });

// ---- reading the peg-in form ------------------------------------------------------------------

/** Headers as hex strings: one a line, or a single run of 160-hex-digit headers. */
function splitHeaders(text) {
  const t = tokens(text);
  if (t.length === 1 && t[0].length > 160 && t[0].length % 160 === 0) return t[0].match(/.{160}/g);
  return t;
}

function wholeNumber(id, what) {
  const raw = $(id).value.trim();
  const n = Number(raw);
  if (raw === '' || !Number.isSafeInteger(n) || n < 0) throw new InputError(`${what}: "${raw}" is not a whole number ≥ 0`);
  return n;
}

function satoshis(id, what) {
  const raw = $(id).value.trim().replaceAll(/[,_\s]/g, '');
  if (!/^\d+$/.test(raw)) throw new InputError(`${what}: "${$(id).value}" is not a whole number of satoshis`);
  return BigInt(raw);
}

function readPegIn() {
  return {
    network: $('network').value,
    startHeight: wholeNumber('start-height', 'height of the first header'),
    headers: splitHeaders($('headers').value),
    proof: $('proof').value.replaceAll(/\s/g, ''),
    tx: $('tx').value.replaceAll(/\s/g, ''),
    federationScriptPubkeys: tokens($('federation-scripts').value),
    policy: {
      minConfirmations: wholeNumber('min-confirmations', 'min. confirmations'),
      minAmount: satoshis('min-amount', 'min. amount'),
      maxAmount: satoshis('max-amount', 'max. amount'),
      fee: satoshis('fee', 'fee'),
    },
  };
}

function showHeaderCount() {
  const n = splitHeaders($('headers').value).length;
  $('headers-count').textContent = n === 1 ? '1 header' : `${group(n)} headers`;
}

// ---- header sync ------------------------------------------------------------------------------

function syncStatus(state, text) {
  $('sync-status').dataset.state = state;
  $('sync-status').textContent = text;
}

/**
 * Verifies the headers in batches of BATCH (the first batch anchors the chain at `startHeight`),
 * updating the progress bar between batches. Returns the chain; the caller frees it.
 */
async function syncHeaders(network, startHeight, headers) {
  const bar = $('sync-progress');
  const total = headers.length;
  bar.max = Math.max(total, 1);
  bar.value = 0;
  syncStatus('running', `0 / ${group(total)} headers verified`);
  await nextFrame();
  let chain = null;
  let done = 0;
  try {
    do {
      const batch = headers.slice(done, done + BATCH);
      if (chain === null) chain = HeaderChain.fromHeaders(network, startHeight, batch);
      else chain.addHeaders(batch);
      done += batch.length;
      bar.value = done;
      syncStatus('running', `${group(done)} / ${group(total)} headers verified · height ${group(chain.tip().height)}`);
      await nextFrame();
    } while (done < total);
  } catch (e) {
    chain?.free();
    const at = done + (typeof e.index === 'number' ? e.index : 0);
    syncStatus('failed', `stopped at header #${group(at)} of ${group(total)}: ${e.code ?? 'error'}`);
    e.syncedHeaders = done;
    e.failedHeader = at;
    throw e;
  }
  const tip = chain.tip();
  const status = $('sync-status');
  syncStatus('done', `${group(total)} / ${group(total)} headers verified · tip height `);
  status.append(el('strong', { 'data-field': 'tip-height' }, group(tip.height)), ` · ${tip.hash}`);
  status.dataset.height = String(tip.height);
  return chain;
}

// ---- peg-in verification ----------------------------------------------------------------------

let busy = false;

function setBusy(on) {
  busy = on;
  for (const b of document.querySelectorAll('#pegin button')) b.disabled = on;
}

async function verify() {
  if (busy) return;
  setBusy(true);
  const box = $('verdict');
  box.dataset.state = 'running';
  delete box.dataset.code;
  box.replaceChildren(el('p', { class: 'placeholder' }, 'Verifying…'));
  $('sync-progress').value = 0;
  delete $('sync-status').dataset.height;
  syncStatus('idle', 'not started');
  let chain = null;
  let stage = 'while reading the inputs';
  let req;
  try {
    req = readPegIn();
    stage = 'during the header sync';
    chain = await syncHeaders(req.network, req.startHeight, req.headers);
    const tip = chain.tip();
    stage = `during the peg-in check, against the synced chain (tip height ${group(tip.height)})`;
    const { tx, proof, federationScriptPubkeys, policy } = req;
    const v = verifyPegIn(chain, { tx, proof, federationScriptPubkeys, policy });
    showVerified(box, v, tip, req, verifyTxOutProof(proof));
  } catch (e) {
    const where = e.failedHeader === undefined
      ? stage
      : `during the header sync, at header #${group(e.failedHeader)} of the list (height ${group(req.startHeight + e.failedHeader)})`;
    failure(box, e, where);
  } finally {
    chain?.free();
    finished(box);
    setBusy(false);
  }
}

function showVerified(box, v, tip, req, proof) {
  box.dataset.state = 'verified';
  const outputs = v.outputs.map((o) => `output ${o.vout}: ${sat(o.amount)}`).join(', ');
  box.replaceChildren(
    el('h3', {}, '✔ Peg-in verified'),
    definitions([
      ['Paid to the federation', 'amount', `${sat(v.total)} (${btc(v.total)})`],
      ['Credited after the fee', 'credited', `${sat(v.credited)}`],
      ['Destination', 'destination', v.destination ?? 'none (no OP_RETURN output)'],
      ['Confirmations', 'confirmations', String(v.confirmations)],
      ['Block height', 'height', group(v.height)],
      ['Block hash', 'block-hash', v.blockHash],
      ['Transaction', 'txid', v.txid],
      ['Outputs', 'outputs', outputs],
      ['Proof', 'proof', `${proof.matches.length} of ${group(proof.txCount)} transactions of the block (#${proof.matches.map((m) => m.index).join(', #')})`],
    ]),
    el('p', { class: 'aside' }, `Policy: at least ${req.policy.minConfirmations} confirmations, ${sat(req.policy.minAmount)} to ${sat(req.policy.maxAmount)}, fee ${sat(req.policy.fee)}. Chain tip ${group(tip.height)}.`),
  );
  if (v.weakSpv) box.append(el('p', { class: 'warning' }, 'Signet: headers alone prove little there (weak SPV).'));
}

// ---- the real example and its tampered copies -------------------------------------------------

let example = null;

async function fetchData(name) {
  const res = await fetch(new URL(name, DATA));
  if (!res.ok) throw new Error(`${name}: HTTP ${res.status}`);
  return res.text();
}

/** Fetches the real mainnet data once: headers, Core's proof, and the transaction from its block. */
async function realExample() {
  if (example) return example;
  const [headers, proofs, block] = await Promise.all([
    fetchData('mainnet_headers_822528_830592.hex'),
    fetchData('mainnet_txoutproofs_830000.json'),
    fetchData('mainnet_block_830000.hex'),
  ]);
  const tx = decodeBlock(block.trim()).transactions[EXAMPLE_POSITION];
  const proof = JSON.parse(proofs).entries.find((e) => e.tx_indexes.length === 1 && e.tx_indexes[0] === EXAMPLE_POSITION);
  example = {
    headers: headers.trim(),
    proof: proof.proof_hex,
    tx: hex(encodeTransaction(tx)),
    script: hex(tx.outputs[0].scriptPubKey),
  };
  return example;
}

/** Flips the low bit of the hex digit at `at`. */
const flipped = (h, at) => h.slice(0, at) + (parseInt(h[at], 16) ^ 1).toString(16) + h.slice(at + 1);

const TAMPER = {
  proof(x) {
    const at = 200; // a hex digit of the proof's first hash
    const proof = flipped(x.proof, at);
    return [{ ...x, proof }, `Tampered: byte ${at / 2} of the gettxoutproof changed from 0x${x.proof.slice(at, at + 2)} to 0x${proof.slice(at, at + 2)}.`];
  },
  header(x) {
    const lines = x.headers.split('\n');
    const i = 830000 - EXAMPLE_START;
    lines[i] = flipped(lines[i], 155); // a digit of the nonce (bytes 76..79)
    return [{ ...x, headers: lines.join('\n') }, `Tampered: one bit of the nonce of header #${i} (height 830,000) flipped.`];
  },
  federation(x) {
    const script = '0014' + '00'.repeat(20);
    return [{ ...x, script }, `Tampered: the federation's scriptPubKey replaced by ${script}.`];
  },
  confirmations(x) {
    return [{ ...x, minConfirmations: 600 }, 'Tampered: the policy requires 600 confirmations.'];
  },
};

async function runExample(tamper) {
  if (busy) return;
  const note = $('example-note');
  note.textContent = 'Fetching the real mainnet data…';
  let x;
  try {
    x = await realExample();
  } catch (e) {
    note.textContent = '';
    failure($('verdict'), e, 'while loading the example data');
    finished($('verdict'));
    return;
  }
  let text = `Real mainnet data: ${group(x.headers.split('\n').length)} headers from height ${group(EXAMPLE_START)}, Core's gettxoutproof for transaction #${EXAMPLE_POSITION} of block 830,000, that transaction decoded from the real block, and its output 0 (P2WSH) as the federation's script.`;
  if (tamper) {
    let what;
    [x, what] = TAMPER[tamper](x);
    text = `${what} ${text}`;
  }
  note.textContent = text;
  $('network').value = 'mainnet';
  $('start-height').value = String(EXAMPLE_START);
  $('headers').value = x.headers;
  $('proof').value = x.proof;
  $('tx').value = x.tx;
  $('federation-scripts').value = x.script;
  $('min-confirmations').value = String(x.minConfirmations ?? 6);
  $('min-amount').value = '10000';
  $('max-amount').value = '10000000000';
  $('fee').value = '1000';
  showHeaderCount();
  await verify();
}

// ---- federation address -----------------------------------------------------------------------

function buildFederation() {
  const box = $('federation-result');
  delete box.dataset.code;
  let federation;
  try {
    const options = {
      network: $('fed-network').value,
      kind: $('fed-kind').value,
      threshold: Number($('fed-threshold').value),
      publicKeys: tokens($('fed-keys').value),
    };
    const recoveryKeys = tokens($('fed-recovery-keys').value);
    if (recoveryKeys.length > 0) {
      options.recovery = {
        afterBlocks: Number($('fed-recovery-after').value),
        threshold: Number($('fed-recovery-threshold').value),
        publicKeys: recoveryKeys,
      };
    }
    federation = new Federation(options);
    box.dataset.state = 'built';
    box.replaceChildren(
      el('h3', {}, `${federation.threshold}-of-${federation.publicKeys.length} ${federation.kind} federation on ${federation.network}`),
      definitions([
        ['Address', 'address', federation.address],
        ['Descriptor', 'descriptor', federation.descriptor],
        ['scriptPubKey', 'script', hex(federation.scriptPubKey)],
        ['Spend weight', 'weight', `${group(federation.satisfactionWeight)} WU per input (witness, ${federation.threshold} signatures)`],
      ]),
    );
  } catch (e) {
    failure(box, e);
  } finally {
    federation?.free();
    finished(box);
  }
}

/** Five example members: x-only keys of the secret keys 0x0101…01 … 0x0505…05 (never use these). */
function exampleKeys() {
  const keys = [1, 2, 3, 4, 5].map((i) => hex(schnorrPublicKey(new Uint8Array(32).fill(i))));
  // BIP340 keys have an even y, so 02 + x is the same point compressed (P2WSH wants 33 bytes).
  $('fed-keys').value = ($('fed-kind').value === 'p2wsh' ? keys.map((k) => '02' + k) : keys).join('\n');
  $('fed-threshold').value = '3';
}

// ---- start --------------------------------------------------------------------------------------

async function main() {
  const status = $('status');
  try {
    await init();
  } catch (e) {
    status.dataset.state = 'failed';
    status.textContent = `pegkit did not load: ${e.message}`;
    throw e;
  }
  $('load-real').addEventListener('click', () => runExample(null));
  $('load-tampered').addEventListener('click', () => runExample($('tamper-kind').value));
  $('pegin-form').addEventListener('submit', (e) => {
    e.preventDefault();
    verify();
  });
  $('headers').addEventListener('input', showHeaderCount);
  // Once a field is edited by hand, the note about the loaded example no longer applies.
  $('pegin-form').addEventListener('input', () => {
    $('example-note').textContent = '';
  });
  $('fed-example').addEventListener('click', () => {
    exampleKeys();
    buildFederation();
  });
  $('federation-form').addEventListener('submit', (e) => {
    e.preventDefault();
    buildFederation();
  });
  exampleKeys();
  buildFederation();
  status.dataset.state = 'ready';
  status.textContent = 'pegkit is loaded (WebAssembly): everything below runs in this page.';
  document.body.dataset.ready = 'true';
}

main();
