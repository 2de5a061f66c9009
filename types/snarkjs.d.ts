/**
 * Typed declarations for the parts of snarkjs 0.7 (untyped JavaScript) used in this project:
 * Groth16 over BN254 ("bn128"), powers of tau, zkey ceremony files, witnesses, r1cs info.
 * Extend this file when another part of snarkjs is needed; keep the types honest to the
 * library's runtime behaviour.
 *
 * Several snarkjs functions report failure by logging through `logger.error` and returning
 * -1 or false instead of throwing: callers pass a logger and check the results.
 */
declare module "snarkjs" {
  /** snarkjs logs through this shape (a console or a pino-like logger fits). */
  export interface Logger {
    info(...args: unknown[]): void;
    warn(...args: unknown[]): void;
    error(...args: unknown[]): void;
    debug(...args: unknown[]): void;
  }

  /** A G1 point as snarkjs JSON: [x, y, z] decimal strings (z = "1" when affine). */
  export type G1Json = string[];
  /** A G2 point as snarkjs JSON: [[x.c0, x.c1], [y.c0, y.c1], [z.c0, z.c1]]. */
  export type G2Json = string[][];

  /** proof.json */
  export interface Groth16Proof {
    pi_a: G1Json;
    pi_b: G2Json;
    pi_c: G1Json;
    protocol: string;
    curve: string;
  }

  /** public.json: decimal strings below r. */
  export type PublicSignals = string[];

  /** verification_key.json of a Groth16 zkey. */
  export interface VerificationKey {
    protocol: string;
    curve: string;
    nPublic: number;
    vk_alpha_1: G1Json;
    vk_beta_2: G2Json;
    vk_gamma_2: G2Json;
    vk_delta_2: G2Json;
    vk_alphabeta_12?: string[][][];
    IC: G1Json[];
  }

  /** A circuit input: signal name to value(s); numbers as bigint or decimal strings. */
  export type CircuitSignals = Record<string, unknown>;

  /**
   * A scalar field of snarkjs's curve (ffjavascript). Elements are byte arrays in its internal
   * form: little-endian Montgomery.
   */
  export interface CurveField {
    /** Bytes of one element. */
    n8: number;
    /** w[k]: the primitive 2^k-th root of unity snarkjs's FFTs use. */
    w: Uint8Array[];
    e(value: bigint | number | string): Uint8Array;
    toObject(element: Uint8Array): bigint;
  }

  /**
   * A group of snarkjs's curve (ffjavascript). Points are byte arrays: affine x || y or
   * Jacobian x || y || z, coordinates little-endian Montgomery; the affine form is exactly
   * how .ptau and .zkey files store points.
   */
  export interface CurveGroup {
    F: { n8: number };
    /** The generator, Jacobian. */
    g: Uint8Array;
    /** The identity, Jacobian. */
    zero: Uint8Array;
    add(a: Uint8Array, b: Uint8Array): Uint8Array;
    double(a: Uint8Array): Uint8Array;
    timesFr(point: Uint8Array, scalar: Uint8Array): Uint8Array;
    toAffine(point: Uint8Array): Uint8Array;
    eq(a: Uint8Array, b: Uint8Array): boolean;
    isZero(point: Uint8Array): boolean;
    /** Jacobian points (n × 3·F.n8 bytes) to affine (n × 2·F.n8 bytes), on the worker threads. */
    batchToAffine(points: Uint8Array): Promise<Uint8Array>;
    fromRprLEM(buffer: Uint8Array, offset: number): Uint8Array;
  }

  /** snarkjs's BN254 curve (ffjavascript): cached per process; its worker threads keep the process alive until terminate(). */
  export interface SnarkjsCurve {
    name: string;
    r: bigint;
    q: bigint;
    Fr: CurveField;
    G1: CurveGroup;
    G2: CurveGroup;
    terminate(): Promise<void>;
  }

  export namespace curves {
    function getCurveFromName(name: string, options?: { singleThread?: boolean }): Promise<SnarkjsCurve>;
  }

  export namespace groth16 {
    /** `proverOptions.singleThread`: prove on this thread only (no worker threads), e.g. inside a worker. */
    function fullProve(
      input: CircuitSignals,
      wasmFile: string | Uint8Array,
      zkeyFileName: string | Uint8Array,
      logger?: Logger,
      wtnsCalcOptions?: Record<string, unknown>,
      proverOptions?: { singleThread?: boolean },
    ): Promise<{ proof: Groth16Proof; publicSignals: PublicSignals }>;
    function prove(
      zkeyFileName: string | Uint8Array,
      witnessFileName: string | Uint8Array | { type: "mem"; data?: Uint8Array },
      logger?: Logger,
    ): Promise<{ proof: Groth16Proof; publicSignals: PublicSignals }>;
    function verify(
      vk: VerificationKey,
      publicSignals: PublicSignals,
      proof: Groth16Proof,
      logger?: Logger,
    ): Promise<boolean>;
  }

  export namespace wtns {
    /** Runs the circuit's witness calculator (.wasm) and writes a .wtns file (or fills a "mem" one). */
    function calculate(
      input: CircuitSignals,
      wasmFile: string | Uint8Array,
      wtnsFile: string | { type: "mem"; data?: Uint8Array },
    ): Promise<void>;
    /** Reads a .wtns file: the witness, index = wire id. */
    function exportJson(wtnsFile: string): Promise<bigint[]>;
    /** Checks a .wtns file against an .r1cs file. Pass a logger: it logs failures through it. */
    function check(r1csFile: string, wtnsFile: string, logger: Logger): Promise<boolean>;
  }

  export namespace powersOfTau {
    /** Writes a fresh accumulator (tau = 1) of 2^power; returns the first challenge hash. */
    function newAccumulator(curve: SnarkjsCurve, power: number, fileName: string, logger?: Logger): Promise<Uint8Array>;
    /** Returns the response hash. */
    function contribute(
      oldPtauFilename: string,
      newPtauFilename: string,
      name: string,
      entropy: string,
      logger?: Logger,
    ): Promise<Uint8Array>;
    /** Returns the response hash, or false when the beacon parameters are invalid. */
    function beacon(
      oldPtauFilename: string,
      newPtauFilename: string,
      name: string,
      beaconHashHex: string,
      numIterationsExp: number,
      logger?: Logger,
    ): Promise<Uint8Array | false>;
    function preparePhase2(oldPtauFilename: string, newPtauFilename: string, logger?: Logger): Promise<void>;
    function verify(ptauFilename: string, logger?: Logger): Promise<boolean>;
  }

  export namespace zKey {
    /** Returns the circuit hash, or -1 when it fails (the reason goes to logger.error). */
    function newZKey(r1csName: string, ptauName: string, zkeyName: string, logger?: Logger): Promise<Uint8Array | -1>;
    /** Returns the contribution hash. */
    function contribute(
      zkeyNameOld: string,
      zkeyNameNew: string,
      name: string,
      entropy: string,
      logger?: Logger,
    ): Promise<Uint8Array>;
    /** Returns the contribution hash, or false when the beacon parameters are invalid. */
    function beacon(
      zkeyNameOld: string,
      zkeyNameNew: string,
      name: string,
      beaconHashHex: string,
      numIterationsExp: number,
      logger?: Logger,
    ): Promise<Uint8Array | false>;
    function verifyFromR1cs(r1csFileName: string, ptauFileName: string, zkeyFileName: string, logger?: Logger): Promise<boolean>;
    function verifyFromInit(initFileName: string, ptauFileName: string, zkeyFileName: string, logger?: Logger): Promise<boolean>;
    function exportVerificationKey(zkeyName: string, logger?: Logger): Promise<VerificationKey>;
  }

  export namespace r1cs {
    interface R1csInfo {
      nVars: number;
      nOutputs: number;
      nPubInputs: number;
      nPrvInputs: number;
      nLabels: number;
      nConstraints: number;
      prime: bigint;
      curve?: SnarkjsCurve;
    }
    function info(r1csName: string, logger?: Logger): Promise<R1csInfo>;
  }
}
