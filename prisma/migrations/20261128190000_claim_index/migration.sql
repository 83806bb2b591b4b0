-- CreateIndex
CREATE INDEX "ParseJob_claim_idx" ON "ParseJob"("priority" DESC, "createdAt") WHERE (status IN ('queued', 'retrying'));
