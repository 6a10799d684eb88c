CREATE TABLE "drill_reminders" (
	"drill_id" uuid NOT NULL,
	"key" text NOT NULL,
	"sent_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "drill_reminders_drill_id_key_pk" PRIMARY KEY("drill_id","key")
);
--> statement-breakpoint
ALTER TABLE "drill_reminders" ADD CONSTRAINT "drill_reminders_drill_id_drills_id_fk" FOREIGN KEY ("drill_id") REFERENCES "public"."drills"("id") ON DELETE cascade ON UPDATE no action;