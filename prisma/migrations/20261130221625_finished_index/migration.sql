-- CreateIndex
CREATE INDEX "ParseJob_finished_idx" ON "ParseJob"("completedAt") WHERE (status IN ('completed', 'failed', 'cancelled'));
