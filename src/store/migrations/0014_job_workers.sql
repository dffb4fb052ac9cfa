CREATE UNLOGGED TABLE "job_workers" (
	"id" text PRIMARY KEY NOT NULL,
	"beat_at" timestamp with time zone NOT NULL,
	"jobs" uuid[] DEFAULT '{}' NOT NULL
);
