/**
 * A validator committee as Sui builds one (sui-types committee.rs, `Committee::new`): members
 * sorted by authority name (the 96-byte BLS public key, compared byte by byte), voting power
 * summing to exactly 10,000, and a fixed quorum threshold of 6,667. The member's position
 * in that order is its index in a certificate's signers bitmap, so the order is part of the
 * format, not a presentation choice.
 */
import { NonRetryableError } from "../../../common/errors.ts";
import type { CommitteeMember } from "../../../indexer/model.ts";
import { BlsEncodingError, parseBlsPublicKey, type BlsPublicKey } from "./bls.ts";

export type { CommitteeMember } from "../../../indexer/model.ts";

/** `TOTAL_VOTING_POWER`: stake is normalized to basis points of the whole committee. */
export const TOTAL_VOTING_POWER = 10_000n;
/** `QUORUM_THRESHOLD`, 2f + 1 of 10,000: what a certificate's signers must reach. */
export const QUORUM_THRESHOLD = 6_667n;

const U64_MAX = (1n << 64n) - 1n;

export class CommitteeError extends NonRetryableError {
  override name = "CommitteeError";
}

/** Byte-wise order of authority names, as Rust orders `[u8; 96]`. */
export function compareAuthorityNames(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

export class Committee {
  readonly epoch: bigint;
  /** Sorted by authority name: index i here is bit i of a signers bitmap. */
  readonly members: readonly Readonly<CommitteeMember>[];
  readonly #publicKeys: readonly BlsPublicKey[];

  private constructor(epoch: bigint, members: Readonly<CommitteeMember>[], publicKeys: BlsPublicKey[]) {
    this.epoch = epoch;
    this.members = Object.freeze(members);
    this.#publicKeys = Object.freeze(publicKeys);
  }

  /**
   * Validates and sorts the members: at least one, 96-byte names that are valid G2 keys
   * in the subgroup, no name twice, u64 stakes summing to 10,000. Throws CommitteeError
   * naming the member otherwise. Decoding ~100 keys takes about a second.
   *
   * @example
   * const committee = Committee.create(638n, [{ authorityName, stake: 10_000n }]);
   */
  static create(epoch: bigint, members: readonly CommitteeMember[]): Committee {
    const fail = (reason: string, member?: number): never => {
      throw new CommitteeError("invalid committee", { details: { epoch, member, reason } });
    };
    if (epoch < 0n || epoch > U64_MAX) fail(`epoch ${epoch} is not a u64`);
    if (members.length === 0) fail("no members");
    members.forEach((m, i) => {
      if (m.authorityName.length !== 96) fail(`authority name is ${m.authorityName.length} bytes, expected 96`, i);
      if (m.stake < 0n || m.stake > U64_MAX) fail(`stake ${m.stake} is not a u64`, i);
    });
    const sorted = members
      .map((m, input) => ({ member: { authorityName: Uint8Array.from(m.authorityName), stake: m.stake }, input }))
      .sort((a, b) => compareAuthorityNames(a.member.authorityName, b.member.authorityName));
    for (let i = 1; i < sorted.length; i++) {
      if (compareAuthorityNames(sorted[i - 1]!.member.authorityName, sorted[i]!.member.authorityName) === 0) {
        fail(`authority name listed twice (also member ${sorted[i - 1]!.input})`, sorted[i]!.input);
      }
    }
    const total = sorted.reduce((sum, { member }) => sum + member.stake, 0n);
    // Sui asserts this when it builds a committee; anything else cannot be a Sui committee.
    if (total !== TOTAL_VOTING_POWER) fail(`total stake is ${total}, expected ${TOTAL_VOTING_POWER}`);
    const publicKeys = sorted.map(({ member, input }) => {
      try {
        return parseBlsPublicKey(member.authorityName);
      } catch (error) {
        if (!(error instanceof BlsEncodingError)) throw error;
        return fail(`authority name is not a valid BLS public key: ${String(error.details.reason)}`, input);
      }
    });
    return new Committee(
      epoch,
      sorted.map(({ member }) => Object.freeze(member)),
      publicKeys,
    );
  }

  get size(): number {
    return this.members.length;
  }

  /** The decoded public key of the member at `index` (bitmap order). */
  publicKey(index: number): BlsPublicKey {
    const key = this.#publicKeys[index];
    if (!key) throw new RangeError(`no committee member ${index} (committee of ${this.size})`);
    return key;
  }

  /** The member's index in bitmap order, or -1. */
  indexOf(authorityName: Uint8Array): number {
    let lo = 0;
    let hi = this.members.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const order = compareAuthorityNames(this.members[mid]!.authorityName, authorityName);
      if (order === 0) return mid;
      if (order < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** Same epoch and the same members with the same stakes. */
  equals(other: Committee): boolean {
    return (
      this.epoch === other.epoch &&
      this.size === other.size &&
      this.members.every((m, i) => m.stake === other.members[i]!.stake && compareAuthorityNames(m.authorityName, other.members[i]!.authorityName) === 0)
    );
  }
}

/**
 * @example
 * const committee = createCommittee(638n, members); // members in any order
 */
export function createCommittee(epoch: bigint, members: readonly CommitteeMember[]): Committee {
  return Committee.create(epoch, members);
}
