import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Committee, CommitteeError, QUORUM_THRESHOLD, TOTAL_VOTING_POWER, compareAuthorityNames } from "./committee.ts";
import { loadCommitteeFile, parseCommitteeJson } from "./committee-file.ts";
import { makeTestCommittee } from "./testing/test-committee.ts";

const test = makeTestCommittee(7n, [4000n, 3000n, 2000n, 1000n], "committee-test");
const names = test.validators.map((v) => v.authorityName);
const hex = (b: Uint8Array): string => Buffer.from(b).toString("hex");
const base64 = (b: Uint8Array): string => Buffer.from(b).toString("base64");

function committeeError(build: () => unknown): string {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(CommitteeError);
    return String((error as CommitteeError).details.reason);
  }
  throw new Error("expected a CommitteeError");
}

describe("Committee", () => {
  it("uses Sui's fixed voting power and quorum", () => {
    expect(TOTAL_VOTING_POWER).toBe(10_000n);
    expect(QUORUM_THRESHOLD).toBe(6_667n);
  });

  it("orders members by authority name, byte by byte, whatever the input order", () => {
    const members = test.validators.map((v) => ({ authorityName: v.authorityName, stake: v.stake }));
    const reversed = Committee.create(7n, [...members].reverse());
    expect(reversed.members.map((m) => hex(m.authorityName))).toEqual(names.map(hex));
    for (let i = 1; i < reversed.size; i++) {
      expect(compareAuthorityNames(reversed.members[i - 1]!.authorityName, reversed.members[i]!.authorityName)).toBeLessThan(0);
    }
    expect(reversed.equals(test.committee)).toBe(true);
    names.forEach((name, i) => expect(reversed.indexOf(name)).toBe(i));
    expect(reversed.indexOf(new Uint8Array(96))).toBe(-1);
    expect(compareAuthorityNames(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBeLessThan(0);
    expect(compareAuthorityNames(Uint8Array.of(2), Uint8Array.of(1, 255))).toBeGreaterThan(0);
  });

  it("rejects what cannot be a Sui committee", () => {
    const good = test.validators.map((v) => ({ authorityName: v.authorityName, stake: v.stake }));
    expect(committeeError(() => Committee.create(7n, []))).toMatch(/no members/);
    expect(committeeError(() => Committee.create(7n, good.slice(1)))).toMatch(/total stake is 6000, expected 10000/);
    expect(committeeError(() => Committee.create(7n, [...good, { ...good[0]!, stake: 0n }]))).toMatch(/listed twice/);
    expect(committeeError(() => Committee.create(7n, [{ authorityName: new Uint8Array(48), stake: 10_000n }]))).toMatch(/48 bytes/);
    const infinity = new Uint8Array(96);
    infinity[0] = 0xc0;
    expect(committeeError(() => Committee.create(7n, [{ authorityName: infinity, stake: 10_000n }]))).toMatch(/not a valid BLS public key/);
    expect(committeeError(() => Committee.create(-1n, good))).toMatch(/not a u64/);
  });
});

describe("committee files", () => {
  const dir = mkdtempSync(join(tmpdir(), "committee-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads members with hex or base64 names and numeric or string stakes", () => {
    const json = {
      epoch: 7,
      members: test.validators.map((v, i) => ({
        authorityName: i % 2 ? base64(v.authorityName) : `0x${hex(v.authorityName)}`,
        stake: i % 2 ? String(v.stake) : Number(v.stake),
      })),
    };
    expect(parseCommitteeJson(json).equals(test.committee)).toBe(true);
  });

  it("reads gRPC-style names (publicKey, weight), JSON-RPC validator pairs, and bare lists", () => {
    const grpc = { epoch: "7", members: test.validators.map((v) => ({ publicKey: base64(v.authorityName), weight: String(v.stake) })) };
    expect(parseCommitteeJson(grpc).equals(test.committee)).toBe(true);
    const rpc = { epoch: "7", validators: test.validators.map((v) => [base64(v.authorityName), String(v.stake)]) };
    expect(parseCommitteeJson(rpc).equals(test.committee)).toBe(true);
    const bare = test.validators.map((v) => ({ authorityName: hex(v.authorityName), stake: Number(v.stake) }));
    expect(parseCommitteeJson(bare, { epoch: 7n }).equals(test.committee)).toBe(true);
  });

  it("rejects a missing or mismatched epoch, bad keys and bad stakes", () => {
    const members = test.validators.map((v) => ({ authorityName: hex(v.authorityName), stake: Number(v.stake) }));
    expect(committeeError(() => parseCommitteeJson(members))).toMatch(/no epoch/);
    expect(committeeError(() => parseCommitteeJson({ epoch: 7, members }, { epoch: 8n }))).toMatch(/epoch 7, expected 8/);
    const badBase64 = [...members];
    badBase64[0] = { authorityName: `${base64(names[0]!).slice(0, 127)}!`, stake: 4000 };
    expect(committeeError(() => parseCommitteeJson({ epoch: 7, members: badBase64 }))).toMatch(/96 bytes as hex/);
    expect(committeeError(() => parseCommitteeJson({ epoch: 7, members: [{ ...members[0], stake: -1 }] }))).toMatch(/non-negative integer/);
    expect(committeeError(() => parseCommitteeJson({ epoch: 7, members: [{ ...members[0], stake: "1e4" }] }))).toMatch(/non-negative integer/);
    expect(committeeError(() => parseCommitteeJson({ epoch: 7 }))).toMatch(/members/);
  });

  it("loads a file and names it in errors", async () => {
    const good = join(dir, "committee-7.json");
    writeFileSync(good, JSON.stringify({ epoch: 7, members: test.validators.map((v) => ({ authorityName: hex(v.authorityName), stake: Number(v.stake) })) }));
    expect((await loadCommitteeFile(good)).equals(test.committee)).toBe(true);
    const bad = join(dir, "bad.json");
    writeFileSync(bad, "{ not json");
    await expect(loadCommitteeFile(bad)).rejects.toMatchObject({ name: "CommitteeError", details: { file: bad, reason: "not JSON" } });
  });
});
