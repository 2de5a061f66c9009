/**
 * The bytes Sui validators sign for a checkpoint: `bcs(IntentMessage { intent, value:
 * summary })` followed by `bcs(epoch)` (sui-types crypto.rs, `VerificationObligation::
 * add_message` and `AuthoritySignature::new_secure`). An intent is three bytes, so the BCS
 * of the intent message is the intent followed by the summary's own BCS.
 */

/** `Intent::sui_app(IntentScope::CheckpointSummary)`: scope 2, version V0 (0), app Sui (0). */
export const CHECKPOINT_SUMMARY_INTENT: Readonly<Uint8Array> = Uint8Array.of(2, 0, 0);

/**
 * @example
 * const message = checkpointSigningMessage(checkpoint.summaryBcs, checkpoint.signature.epoch);
 */
export function checkpointSigningMessage(summaryBcs: Uint8Array, epoch: bigint): Uint8Array {
  const message = new Uint8Array(3 + summaryBcs.length + 8);
  message.set(CHECKPOINT_SUMMARY_INTENT, 0);
  message.set(summaryBcs, 3);
  new DataView(message.buffer).setBigUint64(3 + summaryBcs.length, BigInt.asUintN(64, epoch), true);
  return message;
}
