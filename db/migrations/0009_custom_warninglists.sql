CREATE TYPE "public"."warninglist_match" AS ENUM('exact', 'cidr', 'hostname');--> statement-breakpoint
CREATE TABLE "custom_warninglists" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"match" "warninglist_match" NOT NULL,
	"values" text[] NOT NULL,
	"active" boolean DEFAULT true NOT NULL,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "custom_warninglists_values" CHECK (cardinality("custom_warninglists"."values") > 0)
);
--> statement-breakpoint
ALTER TABLE "custom_warninglists" ADD CONSTRAINT "custom_warninglists_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "custom_warninglists_name_key" ON "custom_warninglists" USING btree (lower("name"));