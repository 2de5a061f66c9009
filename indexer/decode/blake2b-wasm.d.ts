// Types for blake2b-wasm (the package ships none): the parts digest.ts uses.
declare module "blake2b-wasm" {
  interface Blake2bHash {
    update(input: Uint8Array): Blake2bHash;
    digest(out?: Uint8Array): Uint8Array;
  }
  interface Blake2bFactory {
    (digestLength?: number, key?: Uint8Array | null, salt?: Uint8Array | null, personal?: Uint8Array | null, noAssert?: boolean): Blake2bHash;
    ready(callback?: (error?: Error) => void): Promise<void>;
    readonly SUPPORTED: boolean;
  }
  const blake2b: Blake2bFactory;
  export default blake2b;
}
