CREATE TABLE "balance_changes" (
	"tx_sequence_number" bigint NOT NULL,
	"owner" text NOT NULL,
	"coin_type" text NOT NULL,
	"source" text NOT NULL,
	"amount" numeric NOT NULL,
	"checkpoint" bigint NOT NULL,
	CONSTRAINT "balance_changes_pkey" PRIMARY KEY("tx_sequence_number","owner","coin_type","source")
);
--> statement-breakpoint
CREATE TABLE "checkpoints" (
	"sequence_number" bigint PRIMARY KEY NOT NULL,
	"epoch" bigint NOT NULL,
	"timestamp_ms" bigint NOT NULL,
	"digest" "bytea" NOT NULL,
	"previous_digest" "bytea",
	"content_digest" "bytea" NOT NULL,
	"network_total_transactions" bigint NOT NULL,
	"tx_lo" bigint NOT NULL,
	"tx_count" integer NOT NULL,
	"end_of_epoch" boolean NOT NULL,
	"summary_bcs" "bytea" NOT NULL,
	"validator_signature" "bytea" NOT NULL,
	"signers_map" "bytea" NOT NULL
);
--> statement-breakpoint
CREATE TABLE "events" (
	"tx_sequence_number" bigint NOT NULL,
	"event_index" integer NOT NULL,
	"checkpoint" bigint NOT NULL,
	"timestamp_ms" bigint NOT NULL,
	"package" text NOT NULL,
	"module" text NOT NULL,
	"type" text NOT NULL,
	"sender" text NOT NULL,
	"contents" "bytea" NOT NULL,
	CONSTRAINT "events_pkey" PRIMARY KEY("tx_sequence_number","event_index")
);
--> statement-breakpoint
CREATE TABLE "object_versions" (
	"object_id" text NOT NULL,
	"version" bigint NOT NULL,
	"digest" "bytea",
	"change_kind" text NOT NULL,
	"owner_kind" text,
	"owner_address" text,
	"initial_shared_version" bigint,
	"type" text,
	"checkpoint" bigint NOT NULL,
	"tx_sequence_number" bigint NOT NULL,
	CONSTRAINT "object_versions_pkey" PRIMARY KEY("object_id","version")
);
--> statement-breakpoint
CREATE TABLE "objects" (
	"object_id" text PRIMARY KEY NOT NULL,
	"version" bigint NOT NULL,
	"digest" "bytea" NOT NULL,
	"owner_kind" text NOT NULL,
	"owner_address" text,
	"initial_shared_version" bigint,
	"type" text,
	"checkpoint" bigint NOT NULL,
	"tx_sequence_number" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "packages" (
	"storage_id" text NOT NULL,
	"version" bigint NOT NULL,
	"original_id" text NOT NULL,
	"checkpoint" bigint NOT NULL,
	"tx_sequence_number" bigint NOT NULL,
	CONSTRAINT "packages_pkey" PRIMARY KEY("storage_id","version")
);
--> statement-breakpoint
CREATE TABLE "transactions" (
	"tx_sequence_number" bigint PRIMARY KEY NOT NULL,
	"digest" "bytea" NOT NULL,
	"checkpoint" bigint NOT NULL,
	"timestamp_ms" bigint NOT NULL,
	"sender" text NOT NULL,
	"kind" text NOT NULL,
	"success" boolean NOT NULL,
	"error" text,
	"gas_owner" text NOT NULL,
	"gas_price" bigint NOT NULL,
	"gas_budget" bigint NOT NULL,
	"computation_cost" bigint NOT NULL,
	"storage_cost" bigint NOT NULL,
	"storage_rebate" bigint NOT NULL,
	"non_refundable_storage_fee" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "tx_calls" (
	"package" text NOT NULL,
	"tx_sequence_number" bigint NOT NULL,
	"module" text NOT NULL,
	"function" text NOT NULL,
	"checkpoint" bigint NOT NULL,
	CONSTRAINT "tx_calls_pkey" PRIMARY KEY("package","tx_sequence_number","module","function")
);
--> statement-breakpoint
CREATE TABLE "watermarks" (
	"pipeline" text PRIMARY KEY NOT NULL,
	"epoch_hi" bigint NOT NULL,
	"checkpoint_hi_inclusive" bigint NOT NULL,
	"tx_hi" bigint NOT NULL,
	"timestamp_ms_hi" bigint NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE INDEX "balance_changes_owner_idx" ON "balance_changes" USING btree ("owner","coin_type","tx_sequence_number");--> statement-breakpoint
CREATE INDEX "events_module_idx" ON "events" USING btree ("package","module","tx_sequence_number","event_index");--> statement-breakpoint
CREATE INDEX "events_type_idx" ON "events" USING btree ("type" text_pattern_ops,"tx_sequence_number","event_index");--> statement-breakpoint
CREATE INDEX "events_sender_idx" ON "events" USING btree ("sender","tx_sequence_number","event_index");--> statement-breakpoint
CREATE INDEX "objects_owner_idx" ON "objects" USING btree ("owner_address","object_id") WHERE "objects"."owner_address" IS NOT NULL;--> statement-breakpoint
CREATE INDEX "objects_type_idx" ON "objects" USING btree ("type" text_pattern_ops,"object_id");--> statement-breakpoint
CREATE INDEX "packages_original_idx" ON "packages" USING btree ("original_id","version");--> statement-breakpoint
CREATE UNIQUE INDEX "transactions_digest_key" ON "transactions" USING btree ("digest");--> statement-breakpoint
CREATE INDEX "transactions_sender_idx" ON "transactions" USING btree ("sender","tx_sequence_number");