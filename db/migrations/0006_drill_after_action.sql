CREATE TYPE "public"."drill_attendance" AS ENUM('attended', 'absent');--> statement-breakpoint
CREATE TYPE "public"."drill_report_status" AS ENUM('draft', 'published');--> statement-breakpoint
CREATE TABLE "drill_action_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"drill_id" uuid NOT NULL,
	"description" text NOT NULL,
	"owner_organisation_id" uuid NOT NULL,
	"due_on" date NOT NULL,
	"done_at" timestamp with time zone,
	"done_by" uuid,
	"created_by" uuid NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "drill_observations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"drill_id" uuid NOT NULL,
	"objective" text,
	"organisation_id" uuid,
	"score" smallint,
	"text" text NOT NULL,
	"recorded_by" uuid NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	CONSTRAINT "drill_observations_score" CHECK ("drill_observations"."score" is null or "drill_observations"."score" between 1 and 5)
);
--> statement-breakpoint
CREATE TABLE "drill_reports" (
	"drill_id" uuid PRIMARY KEY NOT NULL,
	"status" "drill_report_status" DEFAULT 'draft' NOT NULL,
	"objectives_met" text DEFAULT '' NOT NULL,
	"objective_assessments" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"observations_summary" text DEFAULT '' NOT NULL,
	"recommendations" text DEFAULT '' NOT NULL,
	"created_by" uuid NOT NULL,
	"updated_by" uuid NOT NULL,
	"published_at" timestamp with time zone,
	"published_by" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "drill_registrations" ADD COLUMN "attendance" "drill_attendance";--> statement-breakpoint
ALTER TABLE "drill_registrations" ADD COLUMN "attendance_marked_by" uuid;--> statement-breakpoint
ALTER TABLE "drill_registrations" ADD COLUMN "attendance_marked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "drill_action_items" ADD CONSTRAINT "drill_action_items_drill_id_drills_id_fk" FOREIGN KEY ("drill_id") REFERENCES "public"."drills"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drill_action_items" ADD CONSTRAINT "drill_action_items_owner_organisation_id_organisations_id_fk" FOREIGN KEY ("owner_organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drill_action_items" ADD CONSTRAINT "drill_action_items_done_by_users_id_fk" FOREIGN KEY ("done_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drill_action_items" ADD CONSTRAINT "drill_action_items_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drill_observations" ADD CONSTRAINT "drill_observations_drill_id_drills_id_fk" FOREIGN KEY ("drill_id") REFERENCES "public"."drills"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drill_observations" ADD CONSTRAINT "drill_observations_organisation_id_organisations_id_fk" FOREIGN KEY ("organisation_id") REFERENCES "public"."organisations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drill_observations" ADD CONSTRAINT "drill_observations_recorded_by_users_id_fk" FOREIGN KEY ("recorded_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drill_reports" ADD CONSTRAINT "drill_reports_drill_id_drills_id_fk" FOREIGN KEY ("drill_id") REFERENCES "public"."drills"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drill_reports" ADD CONSTRAINT "drill_reports_created_by_users_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drill_reports" ADD CONSTRAINT "drill_reports_updated_by_users_id_fk" FOREIGN KEY ("updated_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "drill_reports" ADD CONSTRAINT "drill_reports_published_by_users_id_fk" FOREIGN KEY ("published_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "drill_action_items_drill_idx" ON "drill_action_items" USING btree ("drill_id","due_on");--> statement-breakpoint
CREATE INDEX "drill_action_items_owner_idx" ON "drill_action_items" USING btree ("owner_organisation_id");--> statement-breakpoint
CREATE INDEX "drill_observations_drill_idx" ON "drill_observations" USING btree ("drill_id","recorded_at");--> statement-breakpoint
ALTER TABLE "drill_registrations" ADD CONSTRAINT "drill_registrations_attendance_marked_by_users_id_fk" FOREIGN KEY ("attendance_marked_by") REFERENCES "public"."users"("id") ON DELETE no action ON UPDATE no action;