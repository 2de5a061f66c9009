CREATE TABLE "chain_identity" (
	"singleton" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"chain_id" text NOT NULL,
	"chain" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "chain_identity_singleton" CHECK ("chain_identity"."singleton")
);
