DROP INDEX "balance_changes_owner_idx";--> statement-breakpoint
CREATE INDEX "balance_changes_owner_coin_idx" ON "balance_changes" USING btree ("owner","coin_type","tx_sequence_number","source");