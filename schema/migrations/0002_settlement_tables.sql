CREATE TABLE "settlement_batches" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "settlement_batches_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"batch" bigint NOT NULL,
	"state" text NOT NULL,
	"from_cursor" numeric(20, 0) NOT NULL,
	"to_cursor" numeric(20, 0) NOT NULL,
	"old_root" "bytea" NOT NULL,
	"new_root" "bytea" NOT NULL,
	"old_next_index" bigint NOT NULL,
	"new_next_index" bigint NOT NULL,
	"commitment" "bytea" NOT NULL,
	"changes" integer NOT NULL,
	"distinct_keys" integer NOT NULL,
	"inserts" integer NOT NULL,
	"updates" integer NOT NULL,
	"skipped" integer NOT NULL,
	"circuit_input" text,
	"proof" "bytea",
	"public_inputs" "bytea",
	"proving_ms" integer,
	"prover" text,
	"tx_bytes" "bytea",
	"tx_signatures" text[],
	"tx_digest" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"error" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"proved_at" timestamp with time zone,
	"signed_at" timestamp with time zone,
	"posted_at" timestamp with time zone,
	"confirmed_at" timestamp with time zone,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "settlement_batches_state" CHECK ("settlement_batches"."state" IN ('planned', 'proved', 'signed', 'posted', 'confirmed', 'failed'))
);
--> statement-breakpoint
CREATE TABLE "settlement_config" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"tracking_config" text NOT NULL,
	"tracking_config_hash" "bytea" NOT NULL,
	"depth" integer NOT NULL,
	"batch_size" integer NOT NULL,
	"max_span" bigint NOT NULL,
	"start_cursor" numeric(20, 0) NOT NULL,
	"registry_id" text,
	"package_id" text,
	"pruned_through" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "settlement_config_singleton" CHECK ("settlement_config"."id" = 1),
	CONSTRAINT "settlement_config_depth" CHECK ("settlement_config"."depth" BETWEEN 1 AND 62),
	CONSTRAINT "settlement_config_batch_size" CHECK ("settlement_config"."batch_size" >= 1),
	CONSTRAINT "settlement_config_max_span" CHECK ("settlement_config"."max_span" >= 1)
);
--> statement-breakpoint
CREATE TABLE "tree_leaves" (
	"index" bigint NOT NULL,
	"batch" bigint NOT NULL,
	"key" "bytea" NOT NULL,
	"value" "bytea" NOT NULL,
	"next_key" "bytea" NOT NULL,
	"next_index" bigint NOT NULL,
	CONSTRAINT "tree_leaves_pkey" PRIMARY KEY("index","batch")
);
--> statement-breakpoint
CREATE TABLE "tree_nodes" (
	"level" smallint NOT NULL,
	"index" bigint NOT NULL,
	"batch" bigint NOT NULL,
	"hash" "bytea" NOT NULL,
	CONSTRAINT "tree_nodes_pkey" PRIMARY KEY("level","index","batch")
);
--> statement-breakpoint
CREATE UNIQUE INDEX "settlement_batches_batch_key" ON "settlement_batches" USING btree ("batch") WHERE "settlement_batches"."state" <> 'failed';--> statement-breakpoint
CREATE INDEX "settlement_batches_batch_idx" ON "settlement_batches" USING btree ("batch","id");--> statement-breakpoint
CREATE INDEX "tree_leaves_key_idx" ON "tree_leaves" USING btree ("key","batch");--> statement-breakpoint
CREATE INDEX "tree_leaves_batch_brin" ON "tree_leaves" USING brin ("batch");--> statement-breakpoint
CREATE INDEX "tree_nodes_batch_brin" ON "tree_nodes" USING brin ("batch");--> statement-breakpoint
CREATE INDEX "object_versions_stream_idx" ON "object_versions" USING btree ("checkpoint","tx_sequence_number","object_id" COLLATE "C");