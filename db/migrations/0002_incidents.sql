CREATE TYPE "public"."coordination_status" AS ENUM('open', 'acknowledged', 'answered');--> statement-breakpoint
CREATE TYPE "public"."escalation_urgency" AS ENUM('normal', 'urgent', 'immediate');--> statement-breakpoint
CREATE TYPE "public"."incident_severity" AS ENUM('low', 'medium', 'high', 'critical');--> statement-breakpoint
CREATE TYPE "public"."incident_status" AS ENUM('draft', 'new', 'acknowledged', 'investigating', 'contained', 'resolved', 'closed');--> statement-breakpoint
CREATE TYPE "public"."pap_label" AS ENUM('CLEAR', 'GREEN', 'AMBER', 'RED');--> statement-breakpoint
CREATE TYPE "public"."incident_timeline_kind" AS ENUM('filed', 'updated', 'acknowledged', 'status_changed', 'comment', 'assigned', 'escalated', 'triaged', 'info_requested', 'info_provided', 'attachment_added', 'coordination_requested', 'coordination_acknowledged', 'coordination_answered', 'closure_report', 'reopened');--> statement-breakpoint
CREATE TYPE "public"."triage_classification" AS ENUM('normal', 'serious');--> statement-breakpoint
CREATE TYPE "public"."triage_status" AS ENUM('pending', 'accepted', 'declined', 'info_requested');--> statement-breakpoint
CREATE TABLE "coordination_requests" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"incident_id" uuid NOT NULL,
	"issued_by" uuid NOT NULL,
	"issuing_organisation_id" uuid NOT NULL,
	"organisation_id" uuid NOT NULL,
	"request" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"status" "coordination_status" DEFAULT 'open' NOT NULL,
	"acknowledged_at" timestamp with time zone,
	"acknowledged_by" uuid,
	"answer" text,
	"answered_at" timestamp with time zone,
	"answered_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "incident_attachments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"incident_id" uuid NOT NULL,
	"file_name" text NOT NULL,
	"content_type" text NOT NULL,
	"size" integer NOT NULL,
	"sha256" text NOT NULL,
	"storage_key" text NOT NULL,
	"uploaded_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "incident_reference_counters" (
	"year" integer PRIMARY KEY NOT NULL,
	"last" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "incident_reminders" (
	"incident_id" uuid NOT NULL,
	"key" text NOT NULL,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "incident_reminders_incident_id_key_pk" PRIMARY KEY("incident_id","key")
);
--> statement-breakpoint
CREATE TABLE "incident_timeline" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"incident_id" uuid NOT NULL,
	"kind" "incident_timeline_kind" NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor_user_id" uuid,
	"actor_organisation_id" uuid,
	"internal_to_organisation_id" uuid,
	"body" text,
	"data" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "incidents" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"reference" text NOT NULL,
	"status" "incident_status" DEFAULT 'draft' NOT NULL,
	"reporting_organisation_id" uuid NOT NULL,
	"created_by" uuid NOT NULL,
	"title" text NOT NULL,
	"category" text NOT NULL,
	"severity" "incident_severity" DEFAULT 'medium' NOT NULL,
	"serious" boolean DEFAULT false NOT NULL,
	"serious_criteria" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"tlp" "tlp_label" DEFAULT 'AMBER' NOT NULL,
	"pap" "pap_label" DEFAULT 'AMBER' NOT NULL,
	"contact_name" text,
	"contact_title" text,
	"contact_phone" text,
	"contact_email" text,
	"system_name" text,
	"system_domains" text[] DEFAULT '{}'::text[] NOT NULL,
	"system_public_ips" text[] DEFAULT '{}'::text[] NOT NULL,
	"system_level" integer,
	"system_owner" text,
	"system_operator" text,
	"system_isp" text,
	"security_provider" text,
	"description" text DEFAULT '' NOT NULL,
	"detected_at" timestamp with time zone,
	"handled" boolean DEFAULT false NOT NULL,
	"detection_methods" text[] DEFAULT '{}'::text[] NOT NULL,
	"detection_detail" text,
	"already_notified" text[] DEFAULT '{}'::text[] NOT NULL,
	"environment_os" text,
	"environment_services" text,
	"environment_controls" text,
	"confidential" boolean DEFAULT false NOT NULL,
	"support_requested" text,
	"assigned_user_id" uuid,
	"responding_organisation_id" uuid,
	"escalated_at" timestamp with time zone,
	"escalated_by" uuid,
	"escalation_reason" text,
	"escalation_urgency" "escalation_urgency",
	"triage_status" "triage_status",
	"triage_classification" "triage_classification",
	"triage_analyst_id" uuid,
	"triage_note" text,
	"triaged_at" timestamp with time zone,
	"submitted_at" timestamp with time zone,
	"acknowledged_at" timestamp with time zone,
	"resolved_at" timestamp with time zone,
	"closed_at" timestamp with time zone,
	"closure_what_happened" text,
	"closure_resolution" text,
	"closure_prevention" text,
	"closure_submitted_at" timestamp with time zone,
	"search_text" text DEFAULT '' NOT NULL,
	"search_vector" "tsvector" GENERATED ALWAYS AS (to_tsvector('simple', search_text)) STORED,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "incidents_system_level" CHECK ("incidents"."system_level" is null or "incidents"."system_level" between 1 and 5)
);
--> statement-breakpoint
ALTER TABLE "coordination_requests" ADD CONSTRAINT "coordination_requests_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coordination_requests" ADD CONSTRAINT "coordination_requests_issued_by_users_id_fk" FOREIGN KEY ("issued_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coordination_requests" ADD CONSTRAINT "coordination_requests_issuing_organisation_id_organisations_id_fk" FOREIGN KEY ("issuing_organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coordination_requests" ADD CONSTRAINT "coordination_requests_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coordination_requests" ADD CONSTRAINT "coordination_requests_acknowledged_by_users_id_fk" FOREIGN KEY ("acknowledged_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "coordination_requests" ADD CONSTRAINT "coordination_requests_answered_by_users_id_fk" FOREIGN KEY ("answered_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_attachments" ADD CONSTRAINT "incident_attachments_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_attachments" ADD CONSTRAINT "incident_attachments_uploaded_by_users_id_fk" FOREIGN KEY ("uploaded_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_reminders" ADD CONSTRAINT "incident_reminders_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_timeline" ADD CONSTRAINT "incident_timeline_incident_id_incidents_id_fk" FOREIGN KEY ("incident_id") REFERENCES "public"."incidents"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_timeline" ADD CONSTRAINT "incident_timeline_actor_user_id_users_id_fk" FOREIGN KEY ("actor_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_timeline" ADD CONSTRAINT "incident_timeline_actor_organisation_id_organisations_id_fk" FOREIGN KEY ("actor_organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incident_timeline" ADD CONSTRAINT "incident_timeline_internal_to_organisation_id_organisations_id_fk" FOREIGN KEY ("internal_to_organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_reporting_organisation_id_organisations_id_fk" FOREIGN KEY ("reporting_organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_assigned_user_id_users_id_fk" FOREIGN KEY ("assigned_user_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_responding_organisation_id_organisations_id_fk" FOREIGN KEY ("responding_organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_escalated_by_users_id_fk" FOREIGN KEY ("escalated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "incidents" ADD CONSTRAINT "incidents_triage_analyst_id_users_id_fk" FOREIGN KEY ("triage_analyst_id") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "coordination_requests_incident_idx" ON "coordination_requests" USING btree ("incident_id");--> statement-breakpoint
CREATE INDEX "coordination_requests_org_idx" ON "coordination_requests" USING btree ("organisation_id","status");--> statement-breakpoint
CREATE INDEX "incident_attachments_incident_idx" ON "incident_attachments" USING btree ("incident_id");--> statement-breakpoint
CREATE INDEX "incident_timeline_incident_idx" ON "incident_timeline" USING btree ("incident_id","at");--> statement-breakpoint
CREATE UNIQUE INDEX "incidents_reference_key" ON "incidents" USING btree ("reference");--> statement-breakpoint
CREATE INDEX "incidents_org_status_idx" ON "incidents" USING btree ("reporting_organisation_id","status","created_at");--> statement-breakpoint
CREATE INDEX "incidents_status_created_idx" ON "incidents" USING btree ("status","created_at","id");--> statement-breakpoint
CREATE INDEX "incidents_created_idx" ON "incidents" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "incidents_triage_idx" ON "incidents" USING btree ("triage_status","escalated_at");--> statement-breakpoint
CREATE INDEX "incidents_search_idx" ON "incidents" USING gin ("search_vector");