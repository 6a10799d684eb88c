CREATE TYPE "public"."indicator_type" AS ENUM('ipv4', 'ipv6', 'cidr', 'domain', 'url', 'email', 'md5', 'sha1', 'sha256', 'filename', 'cve');--> statement-breakpoint
CREATE TABLE "indicator_correlations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"indicator_id" uuid NOT NULL,
	"related_indicator_id" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "indicator_correlations_ordered" CHECK ("indicator_correlations"."indicator_id" < "indicator_correlations"."related_indicator_id")
);
--> statement-breakpoint
CREATE TABLE "indicator_incidents" (
	"indicator_id" uuid NOT NULL,
	"incident_id" uuid NOT NULL,
	"linked_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "indicator_incidents_indicator_id_incident_id_pk" PRIMARY KEY("indicator_id","incident_id")
);
--> statement-breakpoint
CREATE TABLE "indicator_sightings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"indicator_id" uuid NOT NULL,
	"organisation_id" uuid NOT NULL,
	"reported_by" uuid NOT NULL,
	"seen_at" timestamp with time zone NOT NULL,
	"count" integer DEFAULT 1 NOT NULL,
	"note" text DEFAULT '' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "indicator_sightings_count" CHECK ("indicator_sightings"."count" >= 1)
);
--> statement-breakpoint
CREATE TABLE "indicators" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"type" "indicator_type" NOT NULL,
	"value" text NOT NULL,
	"network" "inet",
	"tlp" "tlp_label" DEFAULT 'AMBER' NOT NULL,
	"pap" "pap_label" DEFAULT 'AMBER' NOT NULL,
	"confidence" integer DEFAULT 50 NOT NULL,
	"first_seen_at" timestamp with time zone,
	"last_seen_at" timestamp with time zone,
	"valid_until" timestamp with time zone,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"source_organisation_id" uuid NOT NULL,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "indicators_confidence" CHECK ("indicators"."confidence" between 0 and 100),
	CONSTRAINT "indicators_network_only_for_ip" CHECK (("indicators"."network" is not null) = ("indicators"."type" in ('ipv4', 'ipv6', 'cidr')))
);
--> statement-breakpoint
ALTER TABLE "indicator_correlations" ADD CONSTRAINT "indicator_correlations_indicator_id_indicators_id_fk" FOREIGN KEY ("indicator_id") REFERENCES "public"."indicators"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "indicator_correlations" ADD CONSTRAINT "indicator_correlations_related_indicator_id_indicators_id_fk" FOREIGN KEY ("related_indicator_id") REFERENCES "public"."indicators"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "indicator_incidents" ADD CONSTRAINT "indicator_incidents_indicator_id_indicators_id_fk" FOREIGN KEY ("indicator_id") REFERENCES "public"."indicators"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "indicator_incidents" ADD CONSTRAINT "indicator_incidents_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "indicator_incidents" ADD CONSTRAINT "indicator_incidents_linked_by_users_id_fk" FOREIGN KEY ("linked_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "indicator_sightings" ADD CONSTRAINT "indicator_sightings_indicator_id_indicators_id_fk" FOREIGN KEY ("indicator_id") REFERENCES "public"."indicators"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "indicator_sightings" ADD CONSTRAINT "indicator_sightings_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "indicator_sightings" ADD CONSTRAINT "indicator_sightings_reported_by_users_id_fk" FOREIGN KEY ("reported_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "indicators" ADD CONSTRAINT "indicators_source_organisation_id_organisations_id_fk" FOREIGN KEY ("source_organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "indicators" ADD CONSTRAINT "indicators_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "indicator_correlations_pair_key" ON "indicator_correlations" USING btree ("indicator_id","related_indicator_id");--> statement-breakpoint
CREATE INDEX "indicator_correlations_related_idx" ON "indicator_correlations" USING btree ("related_indicator_id");--> statement-breakpoint
CREATE INDEX "indicator_incidents_incident_idx" ON "indicator_incidents" USING btree ("incident_id");--> statement-breakpoint
CREATE INDEX "indicator_sightings_indicator_idx" ON "indicator_sightings" USING btree ("indicator_id","seen_at");--> statement-breakpoint
CREATE UNIQUE INDEX "indicators_type_value_source_key" ON "indicators" USING btree ("type","value","source_organisation_id");--> statement-breakpoint
CREATE INDEX "indicators_source_created_idx" ON "indicators" USING btree ("source_organisation_id","created_at");--> statement-breakpoint
CREATE INDEX "indicators_created_idx" ON "indicators" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "indicators_network_idx" ON "indicators" USING gist ("network" inet_ops);