-- DropIndex
DROP INDEX "ParseJob_legacySessionId_key";

-- DropIndex
DROP INDEX "ParseJob_status_lockExpiry_idx";

-- CreateIndex
CREATE INDEX "ParseJob_running_lockExpiry_idx" ON "ParseJob"("lockExpiry") WHERE (status = 'running');

-- CreateIndex
CREATE UNIQUE INDEX "ParseJob_legacySessionId_key" ON "ParseJob"("legacySessionId") WHERE ("legacySessionId" IS NOT NULL);
