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

// The signing API.
import { Federation, SignatureCollector, signInputs, checkWitnesses, sighashLegacy, sighashSegwitV0, sighashTaproot, sighashesTaproot,
  tapLeafHash, encodePartialSignatures, decodePartialSignatures,
  type FederationOptions, type FederationLeaf, type FederationKind, type LeafRole, type Prevout, type PartialSignatures,
  type AddResult, type FinalizedSpend, type TaprootSighashOptions } from 'pegkit';
const fedOptions: FederationOptions = {
  network: 'regtest',
  threshold: 2,
  publicKeys: [new Uint8Array(32), '02'.repeat(33)],
  recovery: { afterBlocks: 1008, threshold: 1, publicKeys: [new Uint8Array(32)] },
  kind: 'taproot',
};
const fed = new Federation(fedOptions);
const wsh = new Federation({ network: 'mainnet', threshold: 1, publicKeys: ['02'.repeat(33)], kind: 'p2wsh' });
const kind: FederationKind = fed.kind;
const leaves: FederationLeaf[] = fed.leaves;
const role: LeafRole = leaves[0]!.role;
const after: number | undefined = leaves[0]?.afterBlocks;
const outputKey: Uint8Array | undefined = fed.outputKey;
const witnessScript: Uint8Array | undefined = wsh.witnessScript;
const fedFacts: [string, string, Uint8Array, number, number, Uint8Array[]] =
  [fed.address, fed.descriptor, fed.scriptPubKey, fed.satisfactionWeight, fed.threshold, fed.publicKeys];
const prevouts: Prevout[] = [{ amount: 10_000n, scriptPubKey: fed.scriptPubKey }, { amount: 5000, scriptPubKey: '51' }];
const unsigned: Bytes = '02000000000000000000';
const partial: PartialSignatures = signInputs(fed, unsigned, prevouts, new Uint8Array(32), { auxRand: new Uint8Array(32), leaf: 'main' });
const partial2: PartialSignatures = signInputs(fed, unsigned, prevouts, '01'.repeat(32));
const collector = new SignatureCollector(fed, unsigned, prevouts);
const recoveryCollector = new SignatureCollector(fed, unsigned, prevouts, 'recovery');
const added: AddResult = collector.add(partial);
for (const r of collector.addAll([partial2, { publicKey: 'ab', signatures: ['cd'] }])) {
  if (typeof r === 'string') {
    const ok: AddResult = r;
    console.log(ok);
  } else {
    const code: string = r.code;
    console.log(code);
  }
}
collector.batchVerification = false;
const counts: [number, number, boolean, boolean, Uint8Array[]] =
  [collector.signatureCount, collector.threshold, collector.isComplete, collector.batchVerification, collector.signers];
const finalized: FinalizedSpend = collector.finalize();
checkWitnesses(fed, finalized.tx, prevouts);
const encoded: Uint8Array = encodePartialSignatures(partial);
const decoded: PartialSignatures = decodePartialSignatures(encoded);
const tapOptions: TaprootSighashOptions = { leafScript: leaves[0]!.script, annex: '50', codesepPos: 0, leafVersion: 0xc0 };
const sighashes: Uint8Array[] = [
  sighashLegacy(unsigned, 0, '51', -1),
  sighashSegwitV0(unsigned, 0, '51', 1000n, 1),
  sighashTaproot(unsigned, 0, prevouts, 0),
  sighashTaproot(unsigned, 0, prevouts, 0x83, tapOptions),
  tapLeafHash('51'),
  ...sighashesTaproot(unsigned, prevouts, 0, tapOptions),
];
console.log(kind, role, after, outputKey, witnessScript, fedFacts, recoveryCollector, added, counts, finalized.txid,
  finalized.signers, decoded, sighashes);

// Peg-out.
import { decodePegOutLogs, buildPegOut, checkPegOut, parseAddress } from 'pegkit';
import type { EvmLog, DecodedLogs, Burn, BurnId, PegOutRejection, PegOutPolicy, Utxo, PegOutPayment, CheckedPegOut } from 'pegkit';

const logs: EvmLog[] = [
  { address: '0x' + 'bb'.repeat(20), topics: ['0x' + '00'.repeat(32)], data: '0x', transactionHash: '0x' + '11'.repeat(32), logIndex: '0x1', blockNumber: 7n },
  { address: new Uint8Array(20), topics: [], data: new Uint8Array(0), transactionHash: new Uint8Array(32), index: 3, blockNumber: 8, removed: false, blockHash: null },
];
const policy: PegOutPolicy = { minAmount: 1_000_000n, maxOutputs: 100, maxFeeRateSatKvb: 50_000 };
const decodedLogs: DecodedLogs = decodePegOutLogs('regtest', logs, { bridge: '0x' + 'bb'.repeat(20), policy });
const firstBurn: Burn | undefined = decodedLogs.burns[0];
const rejection: PegOutRejection | undefined = decodedLogs.rejected[0];
const burnAmounts: [bigint, bigint, bigint] | undefined = firstBurn && [firstBurn.wei, firstBurn.sats, firstBurn.remainderWei];
const utxos: Utxo[] = [{ txid: '00'.repeat(32), vout: 0, amount: 5_000_000n }];
const payment: PegOutPayment = buildPegOut(fed, utxos, decodedLogs.burns, 2_000n, policy);
const paidIds: BurnId[] = payment.paid;
const checkedPegOut: CheckedPegOut = checkPegOut(fed, {
  utxos, reserved: [{ txid: '00'.repeat(32), vout: 1 }], burns: decodedLogs.burns, processed: paidIds,
  feeRateSatKvb: 2_000, policy, tx: payment.tx, prevouts: payment.prevouts,
});
const destinationScript: Uint8Array = parseAddress('mainnet', 'bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4');
console.log(rejection?.code, burnAmounts, checkedPegOut.fee, payment.rateFee, destinationScript);
