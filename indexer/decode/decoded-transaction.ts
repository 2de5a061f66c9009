/**
 * The `TransactionModel` both file formats produce: eager fields set by the decoder, input
 * and output objects decoded on first access from byte slices the decoder located.
 */
import { NonRetryableError } from "../../common/errors.ts";
import type {
  ChangedObject,
  EventModel,
  ExecutionStatus,
  GasCostSummary,
  MoveCallTarget,
  ObjectModel,
  TransactionKindName,
  TransactionModel,
} from "../model.ts";
import { BcsDecodeError } from "./cursor.ts";
import { decodeObject } from "./object.ts";

/** Where a transaction's objects come from, resolved only when first read. */
export interface ObjectSlices {
  inputs(): Uint8Array[];
  outputs(): Uint8Array[];
}

/**
 * Objects already located by the decoder (the `.chk` layout lists them per transaction), as
 * [start, end) offsets into the file: views are only made when the objects are read.
 */
export class LocatedObjects implements ObjectSlices {
  constructor(
    private readonly bytes: Uint8Array,
    private readonly inputOffsets: number[],
    private readonly outputOffsets: number[],
  ) {}
  inputs(): Uint8Array[] {
    return this.#views(this.inputOffsets);
  }
  outputs(): Uint8Array[] {
    return this.#views(this.outputOffsets);
  }
  #views(offsets: number[]): Uint8Array[] {
    const views: Uint8Array[] = new Array(offsets.length / 2);
    for (let i = 0; i < offsets.length; i += 2) views[i / 2] = this.bytes.subarray(offsets[i]!, offsets[i + 1]!);
    return views;
  }
}

/** Names the file and checkpoint in errors raised after the eager decode. */
export interface DecodeOrigin {
  location: string;
  checkpoint: bigint;
}

export interface EagerTransactionFields {
  digest: Uint8Array;
  indexInCheckpoint: number;
  sender: string;
  kind: TransactionKindName;
  gasOwner: string;
  gasPrice: bigint;
  gasBudget: bigint;
  status: ExecutionStatus;
  gasUsed: GasCostSummary;
  executedEpoch: bigint;
  lamportVersion: bigint;
  moveCalls: MoveCallTarget[];
  changedObjects: ChangedObject[];
  events: EventModel[];
  transactionBcs: Uint8Array;
  effectsBcs: Uint8Array;
  eventsBcs: Uint8Array | null;
}

export class DecodedTransaction implements TransactionModel {
  digest: Uint8Array;
  indexInCheckpoint: number;
  sender: string;
  kind: TransactionKindName;
  gasOwner: string;
  gasPrice: bigint;
  gasBudget: bigint;
  status: ExecutionStatus;
  gasUsed: GasCostSummary;
  executedEpoch: bigint;
  lamportVersion: bigint;
  moveCalls: MoveCallTarget[];
  changedObjects: ChangedObject[];
  events: EventModel[];
  transactionBcs: Uint8Array;
  effectsBcs: Uint8Array;
  eventsBcs: Uint8Array | null;
  #slices: ObjectSlices;
  #origin: DecodeOrigin;
  #inputObjects: ObjectModel[] | null = null;
  #outputObjects: ObjectModel[] | null = null;

  constructor(fields: EagerTransactionFields, slices: ObjectSlices, origin: DecodeOrigin) {
    this.digest = fields.digest;
    this.indexInCheckpoint = fields.indexInCheckpoint;
    this.sender = fields.sender;
    this.kind = fields.kind;
    this.gasOwner = fields.gasOwner;
    this.gasPrice = fields.gasPrice;
    this.gasBudget = fields.gasBudget;
    this.status = fields.status;
    this.gasUsed = fields.gasUsed;
    this.executedEpoch = fields.executedEpoch;
    this.lamportVersion = fields.lamportVersion;
    this.moveCalls = fields.moveCalls;
    this.changedObjects = fields.changedObjects;
    this.events = fields.events;
    this.transactionBcs = fields.transactionBcs;
    this.effectsBcs = fields.effectsBcs;
    this.eventsBcs = fields.eventsBcs;
    this.#slices = slices;
    this.#origin = origin;
  }

  get inputObjects(): ObjectModel[] {
    this.#inputObjects ??= this.#decode(this.#slices.inputs(), "input_objects");
    return this.#inputObjects;
  }

  get outputObjects(): ObjectModel[] {
    this.#outputObjects ??= this.#decode(this.#slices.outputs(), "output_objects");
    return this.#outputObjects;
  }

  #decode(slices: Uint8Array[], list: string): ObjectModel[] {
    return slices.map((bytes, i) => {
      try {
        return decodeObject(bytes);
      } catch (error) {
        if (!(error instanceof BcsDecodeError)) throw error;
        throw new NonRetryableError("cannot decode checkpoint object", {
          cause: error,
          details: {
            file: this.#origin.location,
            checkpoint: this.#origin.checkpoint,
            field: `transactions[${this.indexInCheckpoint}].${list}[${i}].${error.field}`,
            offsetInObject: error.offset,
            reason: error.reason,
          },
        });
      }
    });
  }
}
