// Type-checked (tsc --noEmit) against the built package's declarations: a TypeScript user's view.
import {
  decodeTransaction, encodeTransaction, txid, wtxid, decodeHeader, encodeHeader, blockHash, decodeBlock,
  schnorrSign, schnorrVerify, schnorrPublicKey, PegkitError,
  type Transaction, type TxInput, type TxOutput, type Header, type Block, type Bytes,
} from 'pegkit';
import initWeb, { initSync, decodeTransaction as webDecode } from 'pegkit/web';

const raw: Bytes = '01000000000000000000';
const tx: Transaction = decodeTransaction(raw);
const first: TxInput | undefined = tx.inputs[0];
const out: TxOutput | undefined = tx.outputs[0];
const amount: bigint | undefined = out?.amount;
const script: Uint8Array | undefined = first?.scriptSig;
const bytes: Uint8Array = encodeTransaction(tx);
const ids: [string, string] = [txid(bytes), wtxid(bytes)];
const header: Header = decodeHeader(new Uint8Array(80));
const again: Uint8Array = encodeHeader({ ...header, bits: 0x1d00ffff });
const hash: string = blockHash(again);
const block: Block = decodeBlock(new Uint8Array(0));
const sig: Uint8Array = schnorrSign(new Uint8Array(32), 'cafe');
const sig2: Uint8Array = schnorrSign('00'.repeat(32), new Uint8Array(1), new Uint8Array(32));
const ok: boolean = schnorrVerify(schnorrPublicKey(new Uint8Array(32)), 'cafe', sig);
try {
  decodeTransaction('0100');
} catch (e) {
  if (e instanceof PegkitError) {
    const code: string = e.code;
    const message: string = e.message;
    console.log(code, message);
  }
}
const init: Promise<unknown> = initWeb();
initSync({ module: new Uint8Array(0) });
const web: Transaction = webDecode(raw);
console.log(amount, script, ids, hash, block, sig2, ok, init, web);

// The SPV API.
import { HeaderChain, verifyPegIn, verifyTxOutProof, merkleRoot, merkleProof, verifyMerkleProof, buildTxOutProof,
  type ChainTip, type BatchSummary, type VerifiedPegIn, type TxOutProof as TxOutProofResult } from 'pegkit';
const chain: HeaderChain = HeaderChain.fromGenesis('mainnet');
const summary: BatchSummary = chain.addHeaders(new Uint8Array(0), 1_700_000_000);
const tipNow: ChainTip = chain.tip();
const work: bigint = tipNow.chainwork;
const conf: number | undefined = chain.confirmations(tipNow.hash);
const proofResult: TxOutProofResult = verifyTxOutProof(new Uint8Array(0));
const root: string = merkleRoot(['00'.repeat(32)]).merkleRoot;
const branch = merkleProof(['00'.repeat(32)], 0);
const okBranch: boolean = verifyMerkleProof(branch.txid, branch.index, branch.branch, root);
const built: Uint8Array = buildTxOutProof(new Uint8Array(80), [branch.txid], [0]);
const pegIn: VerifiedPegIn = verifyPegIn(chain, { tx: '', proof: built, federationScriptPubkeys: ['51'], policy: { minConfirmations: 6, fee: 1000n } });
const credited: bigint = pegIn.credited;
const fromList: HeaderChain = HeaderChain.fromHeaders('regtest', 0, [new Uint8Array(80)]);
const saved: Uint8Array = fromList.serialize();
console.log(summary, work, conf, proofResult, okBranch, credited, saved, HeaderChain.restore('regtest', saved).height);
