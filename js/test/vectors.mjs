// Loads the upstream vectors from tests/vectors/ (see its PROVENANCE.md), unchanged.
import { readFileSync } from 'node:fs';

const dir = new URL('../../tests/vectors/', import.meta.url);
export const read = (path) => readFileSync(new URL(path, dir), 'utf8');
export const hex = (bytes) => Buffer.from(bytes).toString('hex');
export const bytes = (h) => new Uint8Array(Buffer.from(h, 'hex'));

/** BIP340 test-vectors.csv rows. */
export function bip340() {
  return read('bips/bip340-test-vectors.csv')
    .trim()
    .split('\n')
    .slice(1)
    .map((line) => {
      const [index, secretKey, publicKey, auxRand, message, signature, result, comment] = line.split(',');
      return { index: Number(index), secretKey, publicKey, auxRand, message, signature, valid: result === 'TRUE', comment };
    });
}

/** Bitcoin Core tx_valid.json + tx_invalid.json tests (comments skipped): [{ file, tx }]. */
export function coreTxs() {
  const out = [];
  for (const file of ['tx_valid', 'tx_invalid']) {
    for (const row of JSON.parse(read(`bitcoin-core/${file}.json`))) {
      if (Array.isArray(row) && row.length >= 3 && Array.isArray(row[0])) out.push({ file, tx: row[1] });
    }
  }
  return out;
}

export const block830000 = () => bytes(read('mainnet/mainnet_block_830000.hex').trim());
export const block830000Txids = () => JSON.parse(read('mainnet/mainnet_block_830000_txids.json'))['830000'];
export const headers822528 = () => read('mainnet/mainnet_headers_822528_830592.hex').trim().split('\n').map(bytes);

export const headers822528Bytes = () => new Uint8Array(Buffer.from(read('mainnet/mainnet_headers_822528_830592.hex').trim().split('\n').join(''), 'hex'));
export const txoutproofs830000 = () => JSON.parse(read('mainnet/mainnet_txoutproofs_830000.json')).entries;
export const retargetBoundaries = () => JSON.parse(read('mainnet/mainnet_retarget_boundary_headers.json')).entries;
