-- DropForeignKey
ALTER TABLE "JobEvent" DROP CONSTRAINT "JobEvent_jobId_fkey";

-- A job's events go with it, whoever deletes the job: one statement-level trigger in place of the foreign
-- key's cascade, so writing an event costs no check and no lock of its job's row.
CREATE OR REPLACE FUNCTION "playbuddy_delete_job_events"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM "JobEvent" e USING gone g WHERE e."jobId" = g.id;
  RETURN NULL;
END
$$;

CREATE TRIGGER "ParseJob_delete_events" AFTER DELETE ON "ParseJob" REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION "playbuddy_delete_job_events"();
