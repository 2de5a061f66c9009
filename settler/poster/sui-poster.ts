/**
 * The Sui poster (settler/poster/types.ts `Poster`): takes proved batches strictly in batch
 * order and settles them on the registry.
 *
 * For each batch: build the `settle` transaction offline against the registry's current
 * state (its settler cap, a gas coin, the gas price and budget), store the signed bytes,
 * signatures and digest (`signed`) BEFORE the first submission, count each submission
 * (`posted`), and record `confirmed` once the effects say success. What happens otherwise:
 *
 * - no answer (unreachable node, deadline, reset): resend exactly the stored bytes, with
 *   capped exponential backoff; a resend of a transaction that already executed returns its
 *   effects, so a lost answer costs nothing. After the last attempt: RetryableError.
 * - the node refuses the stored bytes because an input moved on: look the digest up (it may
 *   have executed after all), then the registry (another transaction may have settled this
 *   batch); only when the digest never executed and a referenced owned object is at a newer
 *   version are the bytes provably dead: rebuild, re-sign, store, say so in the log.
 * - the contract rejects the batch (EInvalidProof, ENonCanonical, ENextIndexRegressed,
 *   ETreeFull, ESpanTooLarge) while the registry is still where the batch starts: `failed`,
 *   with the contract's error named; the pipeline rolls back (PostOutcome.failed).
 * - the registry moved (another settler): if it holds exactly this batch's statement the
 *   batch is recorded `confirmed` (and the log says who settled it); otherwise
 *   RegistryMovedError, and nothing is posted over it.
 * - anything else that executed and failed (paused registry, revoked cap, gas budget too
 *   low): the error is thrown naming the cause; the dead transaction is replaced by a fresh
 *   one, stored but not sent, for the next run.
 *
 * After a crash, `recover` reads the registry's batch count and next cursor and records
 * every batch it already holds as confirmed; the rest resume from their stored bytes.
 */
import { bcs } from "@mysten/sui/bcs";
import { normalizeSuiAddress } from "@mysten/sui/utils";
import { Counter, Histogram } from "prom-client";
import type { Common } from "../../common/context.ts";
import { NonRetryableError, RetryableError } from "../../common/errors.ts";
import { backoffDelay, sleep, type BackoffOptions } from "../../indexer/ingest/backoff.ts";
import type { BatchRecord } from "../pipeline/batches.ts";
import type { SuiChainClient, RegistryOnChain } from "../sui/chain-client.ts";
import { StaleInputsError, SubmissionError, TransactionFailedError } from "../sui/errors.ts";
import type { ExecutionResult } from "../sui/executed.ts";
import type { SuiSigner } from "../sui/keys.ts";
import { buildSettleTransaction, signTransaction, type ObjectRef, type SignedTransaction } from "../sui/transactions.ts";
import type { TransitionHook } from "./crash-hook.ts";
import { confirmElsewhere, resignBatch } from "./transitions.ts";
import type { ChainState, PostOutcome, Poster, PosterContext } from "./types.ts";

/** Rebuilds of one batch's transaction within one `post` call. */
const MAX_REBUILDS = 3;

/** Contract errors that mean the batch itself is wrong (when the registry is where it starts). */
export const BATCH_REJECTIONS = new Set(["EInvalidProof", "ENonCanonical", "ENextIndexRegressed", "ETreeFull", "ESpanTooLarge"]);

/** Another transaction moved the registry past a batch with a different statement. */
export class RegistryMovedError extends NonRetryableError {
  override name = "RegistryMovedError";
}

export interface SuiPosterOptions {
  chain: SuiChainClient;
  signer: SuiSigner;
  /** Largest fee per settle transaction, MIST. */
  gasBudget: bigint;
  /** MIST per gas unit; default: the network's reference gas price at build time. */
  gasPrice?: bigint;
  /** Submissions per `post` call for one batch before giving up with RetryableError (default 5). */
  attempts?: number;
  backoff?: BackoffOptions;
  /** Called after each recorded transition (the crash tests' hook). */
  afterTransition?: TransitionHook;
}

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString("hex");

function posterMetrics(common: Common) {
  const registers = [common.metrics];
  const submissions =
    (common.metrics.getSingleMetric("sui_settler_submissions_total") as Counter<"outcome"> | undefined) ??
    new Counter({ name: "sui_settler_submissions_total", help: "settle submissions by outcome", labelNames: ["outcome"], registers });
  const submitSeconds =
    (common.metrics.getSingleMetric("sui_settler_submit_seconds") as Histogram | undefined) ??
    new Histogram({ name: "sui_settler_submit_seconds", help: "ExecuteTransaction round trip of a settle transaction", buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60], registers });
  return { submissions, submitSeconds };
}

/** Owned inputs a stored transaction references: its gas coins and owned objects. */
function ownedInputs(txBytes: Uint8Array): ObjectRef[] {
  const data = bcs.TransactionData.parse(txBytes).V1;
  if (!data) return [];
  const refs: ObjectRef[] = data.gasData.payment.map((p) => ({ objectId: normalizeSuiAddress(p.objectId), version: BigInt(p.version), digest: p.digest }));
  if (data.kind.$kind === "ProgrammableTransaction") {
    for (const input of data.kind.ProgrammableTransaction.inputs) {
      if (input.$kind === "Object" && input.Object.$kind === "ImmOrOwnedObject") {
        const r = input.Object.ImmOrOwnedObject;
        refs.push({ objectId: normalizeSuiAddress(r.objectId), version: BigInt(r.version), digest: r.digest });
      }
    }
  }
  return refs;
}

/**
 * @example
 * const poster = createSuiPoster(common, { database, batches, settings }, { chain, signer, gasBudget: 50_000_000n });
 * await poster.recover();
 * const outcome = await poster.post(); // { confirmed: [1n, 2n], failed: [], inFlight: null }
 */
export function createSuiPoster(common: Common, context: PosterContext, options: SuiPosterOptions): Poster {
  const { logger } = common;
  const { database, batches, settings } = context;
  const { chain, signer } = options;
  const registryId = settings.registryId;
  if (!registryId || !settings.packageId) {
    throw new NonRetryableError("no registry yet: run `settle init` first");
  }
  if (normalizeSuiAddress(settings.packageId) !== chain.packageId) {
    throw new NonRetryableError("the Sui client is for another package than the settlement's", { details: { settlement: settings.packageId, client: chain.packageId } });
  }
  const attempts = Math.max(1, options.attempts ?? 5);
  const hook: TransitionHook = options.afterTransition ?? (() => {});
  const metrics = posterMetrics(common);
  /** Newest references seen in our own effects: a node may lag behind its own answers. */
  const known = new Map<string, ObjectRef>();
  const remember = (result: ExecutionResult) => {
    for (const w of result.written) {
      const prev = known.get(w.ref.objectId);
      if (!prev || prev.version < w.ref.version) known.set(w.ref.objectId, w.ref);
    }
  };
  const newest = (ref: ObjectRef): ObjectRef => {
    const cached = known.get(ref.objectId);
    return cached && cached.version > ref.version ? cached : ref;
  };

  async function freshRef(objectId: string): Promise<{ ref: ObjectRef; owner: string | null } | null> {
    const info = await chain.getObject(objectId);
    if (!info) return null;
    return { ref: newest(info.ref), owner: info.ownerAddress };
  }

  async function gasCoin(budget: bigint): Promise<ObjectRef> {
    const coins = await chain.listGasCoins(signer.address);
    const coin = coins.find((c) => c.balance >= budget);
    if (!coin) {
      throw new NonRetryableError("no SUI coin of the settler holds the gas budget", {
        details: { address: signer.address, budget, largest: coins[0]?.balance ?? 0n },
      });
    }
    return newest(coin.ref);
  }

  /** The registry must be exactly where the batch starts. */
  function assertContinues(record: BatchRecord, registry: RegistryOnChain): void {
    if (registry.root !== record.oldRoot || registry.nextIndex !== record.oldNextIndex || registry.nextCursor !== record.fromCursor) {
      throw new RegistryMovedError("the registry is not where this batch starts", {
        details: {
          batch: record.batch,
          registryBatches: registry.batchCount,
          registryCursor: registry.nextCursor,
          batchFrom: record.fromCursor,
          rootMatches: registry.root === record.oldRoot,
        },
      });
    }
  }

  async function build(record: BatchRecord, registry: RegistryOnChain): Promise<SignedTransaction> {
    if (!record.proof) throw new NonRetryableError("a proved batch has no proof", { details: { batch: record.batch } });
    if (registry.paused) throw new NonRetryableError("the registry is paused: settle waits until the admin unpauses it", { details: { registry: registryId } });
    assertContinues(record, registry);
    const cap = await freshRef(registry.settlerCapId);
    if (!cap) throw new NonRetryableError("the registry's settler cap does not exist", { details: { cap: registry.settlerCapId } });
    if (cap.owner !== signer.address) {
      throw new NonRetryableError("the registry's settler cap is not owned by the signing key", { details: { cap: registry.settlerCapId, owner: cap.owner, signer: signer.address } });
    }
    const gasPrice = options.gasPrice ?? (await chain.referenceGasPrice());
    const built = await buildSettleTransaction({
      packageId: chain.packageId,
      registry: { objectId: registry.registryId, initialSharedVersion: registry.initialSharedVersion },
      settlerCap: cap.ref,
      gas: { sender: signer.address, gasCoins: [await gasCoin(options.gasBudget)], gasPrice, gasBudget: options.gasBudget },
      statement: {
        newRoot: record.newRoot,
        newNextIndex: record.newNextIndex,
        batchCommitment: record.commitment,
        toCursor: record.toCursor,
        proof: record.proof,
      },
    });
    return signTransaction(signer, built);
  }

  /**
   * The registry is at or past `record.batch`: confirmed when it holds this batch's root at
   * this batch number, else RegistryMovedError.
   */
  async function reconcile(record: BatchRecord, registry: RegistryOnChain): Promise<"confirmed"> {
    const k = record.batch;
    let chainRoot: bigint | null = null;
    if (registry.batchCount === k) {
      chainRoot = registry.nextCursor === record.toCursor && registry.nextIndex === record.newNextIndex ? registry.root : -1n;
    } else {
      chainRoot = registry.recentRoots.find((r) => r.batch === k)?.root ?? null;
    }
    const ours = record.txDigest ? await chain.getTransaction(record.txDigest) : null;
    if (ours) remember(ours);
    const oursLanded = ours?.success === true;
    if (chainRoot === record.newRoot || oursLanded) {
      if (oursLanded && (record.state === "signed" || record.state === "posted")) {
        await batches.markConfirmed(k);
        logger.info({ batch: k.toString(), digest: record.txDigest }, "batch confirmed: the registry holds it (found after a restart or lost answer)");
      } else {
        await confirmElsewhere(database, k, `settled by another transaction: the registry holds this batch's root at batch ${k}`);
        logger.warn({ batch: k.toString(), registryBatches: registry.batchCount.toString() }, "batch confirmed: another transaction settled exactly this statement");
      }
      hook(k, "confirmed");
      return "confirmed";
    }
    throw new RegistryMovedError(
      chainRoot === null
        ? "the registry moved past this batch and its root for it is no longer in the recent-roots ring"
        : "the registry moved: another settler settled this batch number with a different statement",
      {
        details: {
          batch: k,
          registryBatches: registry.batchCount,
          registryCursor: registry.nextCursor,
          chainRoot: chainRoot !== null && chainRoot >= 0n ? chainRoot.toString(16) : null,
          ourRoot: record.newRoot.toString(16),
        },
      },
    );
  }

  /** The stored transaction ran and failed: decide what that means for the batch. */
  async function handleFailure(record: BatchRecord, failure: TransactionFailedError): Promise<"failed" | "confirmed"> {
    const k = record.batch;
    const name = failure.abort?.errorName ?? null;
    const registry = await chain.readRegistry(registryId!);
    if (registry.batchCount >= k) return reconcile(record, registry);
    if (name === "ECursorNotAdvancing" || (name !== null && BATCH_REJECTIONS.has(name))) {
      assertContinues(record, registry);
      if (name !== "ECursorNotAdvancing") {
        const reason = `rejected on chain: ${failure.shortMessage}${failure.abort?.message ? ` (${failure.abort.message})` : ""}; transaction ${failure.digest}`;
        await batches.markFailed(k, reason);
        hook(k, "failed");
        metrics.submissions.inc({ outcome: "rejected" });
        logger.error({ batch: k.toString(), error: name, digest: failure.digest }, "batch rejected by the registry: the pipeline rolls back behind it");
        return "failed";
      }
    }
    // Not the batch's fault (paused, revoked cap, gas): the executed transaction is dead;
    // store a fresh one for the next run, and stop with the cause.
    await batches.noteError(k, failure.message);
    try {
      await replaceDead(record, `it executed and failed with ${name ?? failure.kind}`);
    } catch (error) {
      logger.warn({ batch: k.toString(), error: (error as Error).message }, "could not prepare a replacement transaction yet");
    }
    throw failure;
  }

  async function replaceDead(record: BatchRecord, why: string): Promise<BatchRecord> {
    const registry = await chain.readRegistry(registryId!);
    const signed = await build(record, registry);
    await resignBatch(database, record.batch, { txBytes: signed.bytes, txSignatures: signed.signatures, txDigest: signed.digest }, why);
    logger.warn({ batch: record.batch.toString(), dead: record.txDigest, rebuilt: signed.digest, why }, "stored transaction is dead: rebuilt and re-signed");
    hook(record.batch, "signed");
    const updated = await batches.get(record.batch);
    if (!updated) throw new NonRetryableError("batch vanished while re-signing", { details: { batch: record.batch } });
    return updated;
  }

  /** The node refused the stored bytes as stale: find out whether they are really dead. */
  async function handleStale(record: BatchRecord, stale: StaleInputsError): Promise<BatchRecord | "confirmed" | "failed"> {
    const executed = record.txDigest ? await chain.getTransaction(record.txDigest) : null;
    if (executed) {
      remember(executed);
      return settleResult(record, executed);
    }
    const registry = await chain.readRegistry(registryId!);
    if (registry.batchCount >= record.batch) return reconcile(record, registry);
    const moved: string[] = [];
    for (const ref of ownedInputs(record.txBytes!)) {
      const now = await chain.getObject(ref.objectId);
      if (!now) moved.push(`${ref.objectId} is gone`);
      else if (newest(now.ref).version > ref.version) moved.push(`${ref.objectId} moved from v${ref.version} to v${newest(now.ref).version}`);
    }
    if (moved.length === 0) {
      throw new NonRetryableError("the node calls the stored transaction stale, but its inputs are at the referenced versions: not rebuilding", {
        details: { batch: record.batch, digest: record.txDigest, node: stale.message },
      });
    }
    return replaceDead(record, moved.join("; "));
  }

  async function settleResult(record: BatchRecord, result: ExecutionResult): Promise<"confirmed" | "failed"> {
    if (!result.success) return handleFailure(record, result.failure!);
    const settled = result.events.find((e) => e.kind === "Settled");
    await batches.markConfirmed(record.batch);
    hook(record.batch, "confirmed");
    metrics.submissions.inc({ outcome: "confirmed" });
    if (settled?.kind === "Settled" && BigInt(settled.value.batch) !== record.batch) {
      logger.warn({ batch: record.batch.toString(), registryBatch: settled.value.batch }, "the registry numbers this batch differently");
    }
    logger.info({ batch: record.batch.toString(), digest: result.digest, gas: result.gasCharged.toString(), checkpoint: result.checkpoint?.toString() }, "batch confirmed on chain");
    return "confirmed";
  }

  /** Submits the stored bytes until they execute, are proven dead, or attempts run out. */
  async function submit(start: BatchRecord): Promise<"confirmed" | "failed"> {
    let record = start;
    let rebuilds = 0;
    for (let attempt = 0; ; attempt++) {
      if (!record.txBytes || !record.txSignatures || !record.txDigest) {
        throw new NonRetryableError("a signed batch has no stored transaction", { details: { batch: record.batch } });
      }
      const signed: SignedTransaction = { bytes: record.txBytes, signatures: record.txSignatures, digest: record.txDigest };
      record = await batches.markPosted(record.batch);
      hook(record.batch, "posted");
      const timer = metrics.submitSeconds.startTimer();
      let result: ExecutionResult;
      try {
        result = await chain.execute(signed);
        timer();
      } catch (error) {
        timer();
        if (error instanceof StaleInputsError) {
          metrics.submissions.inc({ outcome: "stale" });
          const next = await handleStale(record, error);
          if (next === "confirmed" || next === "failed") return next;
          // A node lagging behind our own writes could have us rebuild against old versions
          // again and again: stop after a few and let the caller retry later.
          if (++rebuilds > MAX_REBUILDS) {
            throw new RetryableError("the transaction's inputs keep moving: rebuilt too often, retrying later", { details: { batch: record.batch, rebuilds } });
          }
          record = next;
          attempt = -1;
          continue;
        }
        if (error instanceof SubmissionError) {
          metrics.submissions.inc({ outcome: "no_answer" });
          await batches.noteError(record.batch, error.message);
          if (attempt + 1 >= attempts) throw error;
          const delay = backoffDelay(attempt, options.backoff ?? { baseMs: 200, maxMs: 10_000 });
          logger.warn({ batch: record.batch.toString(), digest: signed.digest, attempt: attempt + 1, delayMs: delay, code: error.code }, "no answer to the submission: resending the same bytes");
          await sleep(delay, common.shutdown.signal);
          continue;
        }
        metrics.submissions.inc({ outcome: "refused" });
        await batches.noteError(record.batch, error instanceof Error ? error.message : String(error));
        throw error;
      }
      remember(result);
      return settleResult(record, result);
    }
  }

  return {
    async recover() {
      const registry = await chain.readRegistry(registryId);
      if (hex(registry.trackingConfigHash) !== hex(settings.trackingHash)) {
        throw new NonRetryableError("the registry tracks another configuration than this settlement", { details: { registry: registryId } });
      }
      const last = await batches.lastConfirmed();
      if (last && registry.batchCount < last.batch) {
        throw new NonRetryableError("the registry is behind the batches confirmed here: wrong registry or network?", {
          details: { registry: registryId, registryBatches: registry.batchCount, confirmed: last.batch },
        });
      }
      for (const record of await batches.list({ states: ["proved", "signed", "posted"] })) {
        if (record.batch > registry.batchCount) break;
        await reconcile(record, registry);
      }
    },

    async post() {
      const outcome: PostOutcome = { confirmed: [], failed: [], inFlight: null };
      for (;;) {
        let record = await batches.nextUnconfirmed();
        if (!record || record.state === "planned") break;
        outcome.inFlight = record.batch;
        if (record.state === "proved") {
          const registry = await chain.readRegistry(registryId);
          if (registry.batchCount >= record.batch) {
            await reconcile(record, registry);
            outcome.confirmed.push(record.batch);
            continue;
          }
          const signed = await build(record, registry);
          record = await batches.markSigned(record.batch, { txBytes: signed.bytes, txSignatures: signed.signatures, txDigest: signed.digest });
          hook(record.batch, "signed");
        }
        const result = await submit(record);
        if (result === "confirmed") outcome.confirmed.push(record.batch);
        else {
          outcome.failed.push(record.batch);
          break;
        }
      }
      const pending = await batches.nextUnconfirmed();
      outcome.inFlight = pending && (pending.state === "signed" || pending.state === "posted") ? pending.batch : null;
      return outcome;
    },

    async readChainState(): Promise<ChainState> {
      const r = await chain.readRegistry(registryId);
      return {
        registryId: r.registryId,
        root: r.root,
        nextIndex: r.nextIndex,
        nextCursor: r.nextCursor,
        batchCount: r.batchCount,
        maxSpan: r.maxSpan,
        trackingConfigHash: r.trackingConfigHash,
        paused: r.paused,
      };
    },

    async close() {
      chain.close();
    },
  };
}

