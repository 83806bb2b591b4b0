-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "JobType" AS ENUM ('PARSE_PLAY');

-- CreateEnum
CREATE TYPE "JobStatus" AS ENUM ('queued', 'running', 'paused', 'retrying', 'completed', 'failed', 'cancelled');

-- CreateEnum
CREATE TYPE "LineType" AS ENUM ('dialogue', 'stage_direction');

-- CreateEnum
CREATE TYPE "ParsingStatus" AS ENUM ('pending', 'warming', 'parsing', 'completed', 'failed', 'aborted');

-- CreateTable
CREATE TABLE "ParseJob" (
    "id" TEXT NOT NULL,
    "type" "JobType" NOT NULL DEFAULT 'PARSE_PLAY',
    "priority" INTEGER NOT NULL DEFAULT 0,
    "status" "JobStatus" NOT NULL DEFAULT 'queued',
    "rawText" TEXT NOT NULL,
    "filename" TEXT NOT NULL,
    "config" JSONB,
    "playbookId" TEXT,
    "retryCount" INTEGER NOT NULL DEFAULT 0,
    "maxRetries" INTEGER NOT NULL DEFAULT 3,
    "checkpoints" JSONB NOT NULL DEFAULT '[]',
    "currentState" JSONB,
    "totalChunks" INTEGER,
    "completedChunks" INTEGER NOT NULL DEFAULT 0,
    "progress" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "failureReason" TEXT,
    "workerId" TEXT,
    "lockedAt" TIMESTAMP(3),
    "lockExpiry" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "completedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "runAfter" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "contentHash" TEXT,
    "leaseToken" TEXT,
    "legacySessionId" TEXT,
    "replacesPlaybookId" TEXT,
    "inputTokens" INTEGER NOT NULL DEFAULT 0,
    "outputTokens" INTEGER NOT NULL DEFAULT 0,
    "costUsd" DOUBLE PRECISION NOT NULL DEFAULT 0,

    CONSTRAINT "ParseJob_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "JobEvent" (
    "id" TEXT NOT NULL,
    "jobId" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "details" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "JobEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Worker" (
    "id" TEXT NOT NULL,
    "host" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "concurrency" INTEGER NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastHeartbeat" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "stoppedAt" TIMESTAMP(3),

    CONSTRAINT "Worker_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Playbook" (
    "id" TEXT NOT NULL,
    "llmSourceId" TEXT,
    "title" TEXT NOT NULL,
    "author" TEXT NOT NULL,
    "year" INTEGER,
    "genre" TEXT,
    "description" TEXT,
    "coverImage" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Playbook_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Character" (
    "id" TEXT NOT NULL,
    "llmSourceId" TEXT,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "isFavorite" BOOLEAN NOT NULL DEFAULT false,
    "lastSelected" BOOLEAN NOT NULL DEFAULT false,
    "completionRate" DOUBLE PRECISION NOT NULL DEFAULT 0,
    "aliases" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "playbookId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Character_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Act" (
    "id" TEXT NOT NULL,
    "llmSourceId" TEXT,
    "title" TEXT NOT NULL,
    "order" INTEGER NOT NULL DEFAULT 0,
    "playbookId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Act_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Scene" (
    "id" TEXT NOT NULL,
    "llmSourceId" TEXT,
    "title" TEXT NOT NULL,
    "order" INTEGER NOT NULL DEFAULT 0,
    "actId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Scene_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Line" (
    "id" TEXT NOT NULL,
    "llmSourceId" TEXT,
    "text" TEXT NOT NULL,
    "type" "LineType" NOT NULL,
    "order" INTEGER NOT NULL DEFAULT 0,
    "indentLevel" INTEGER,
    "preserveLineBreaks" BOOLEAN,
    "sceneId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Line_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LineCharacter" (
    "lineId" TEXT NOT NULL,
    "characterId" TEXT NOT NULL,
    "order" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "LineCharacter_pkey" PRIMARY KEY ("lineId","characterId")
);

-- CreateTable
CREATE TABLE "ParsingSession" (
    "id" TEXT NOT NULL,
    "playbookId" TEXT NOT NULL,
    "filename" TEXT NOT NULL,
    "rawText" TEXT NOT NULL,
    "status" "ParsingStatus" NOT NULL DEFAULT 'pending',
    "currentChunk" INTEGER NOT NULL DEFAULT 0,
    "totalChunks" INTEGER NOT NULL,
    "title" TEXT,
    "author" TEXT,
    "year" INTEGER,
    "genre" TEXT,
    "description" TEXT,
    "currentState" JSONB,
    "totalCharacters" INTEGER NOT NULL DEFAULT 0,
    "totalActs" INTEGER NOT NULL DEFAULT 0,
    "totalScenes" INTEGER NOT NULL DEFAULT 0,
    "totalLines" INTEGER NOT NULL DEFAULT 0,
    "currentActIndex" INTEGER,
    "currentSceneIndex" INTEGER,
    "currentLineIndex" INTEGER,
    "currentCharacters" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "completedAt" TIMESTAMP(3),
    "failureReason" TEXT,

    CONSTRAINT "ParsingSession_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ParseJob_legacySessionId_key" ON "ParseJob"("legacySessionId");

-- CreateIndex
CREATE INDEX "ParseJob_status_priority_createdAt_idx" ON "ParseJob"("status", "priority", "createdAt");

-- CreateIndex
CREATE INDEX "ParseJob_workerId_idx" ON "ParseJob"("workerId");

-- CreateIndex
CREATE INDEX "ParseJob_playbookId_idx" ON "ParseJob"("playbookId");

-- CreateIndex
CREATE INDEX "ParseJob_contentHash_idx" ON "ParseJob"("contentHash");

-- CreateIndex
CREATE INDEX "ParseJob_createdAt_idx" ON "ParseJob"("createdAt");

-- CreateIndex
CREATE INDEX "ParseJob_status_lockExpiry_idx" ON "ParseJob"("status", "lockExpiry");

-- CreateIndex
CREATE INDEX "JobEvent_jobId_createdAt_idx" ON "JobEvent"("jobId", "createdAt");

-- CreateIndex
CREATE INDEX "Worker_lastHeartbeat_idx" ON "Worker"("lastHeartbeat");

-- CreateIndex
CREATE INDEX "Playbook_title_idx" ON "Playbook"("title");

-- CreateIndex
CREATE INDEX "Playbook_author_idx" ON "Playbook"("author");

-- CreateIndex
CREATE INDEX "Playbook_llmSourceId_idx" ON "Playbook"("llmSourceId");

-- CreateIndex
CREATE INDEX "Character_playbookId_idx" ON "Character"("playbookId");

-- CreateIndex
CREATE INDEX "Character_name_idx" ON "Character"("name");

-- CreateIndex
CREATE INDEX "Character_llmSourceId_idx" ON "Character"("llmSourceId");

-- CreateIndex
CREATE INDEX "Act_playbookId_idx" ON "Act"("playbookId");

-- CreateIndex
CREATE INDEX "Act_playbookId_order_idx" ON "Act"("playbookId", "order");

-- CreateIndex
CREATE INDEX "Act_llmSourceId_idx" ON "Act"("llmSourceId");

-- CreateIndex
CREATE INDEX "Scene_actId_idx" ON "Scene"("actId");

-- CreateIndex
CREATE INDEX "Scene_actId_order_idx" ON "Scene"("actId", "order");

-- CreateIndex
CREATE INDEX "Scene_llmSourceId_idx" ON "Scene"("llmSourceId");

-- CreateIndex
CREATE INDEX "Line_sceneId_idx" ON "Line"("sceneId");

-- CreateIndex
CREATE INDEX "Line_sceneId_order_idx" ON "Line"("sceneId", "order");

-- CreateIndex
CREATE INDEX "Line_type_idx" ON "Line"("type");

-- CreateIndex
CREATE INDEX "Line_llmSourceId_idx" ON "Line"("llmSourceId");

-- CreateIndex
CREATE INDEX "LineCharacter_lineId_idx" ON "LineCharacter"("lineId");

-- CreateIndex
CREATE INDEX "LineCharacter_characterId_idx" ON "LineCharacter"("characterId");

-- CreateIndex
CREATE INDEX "ParsingSession_playbookId_idx" ON "ParsingSession"("playbookId");

-- CreateIndex
CREATE INDEX "ParsingSession_status_idx" ON "ParsingSession"("status");

-- CreateIndex
CREATE INDEX "ParsingSession_startedAt_idx" ON "ParsingSession"("startedAt");

-- AddForeignKey
ALTER TABLE "JobEvent" ADD CONSTRAINT "JobEvent_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "ParseJob"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Character" ADD CONSTRAINT "Character_playbookId_fkey" FOREIGN KEY ("playbookId") REFERENCES "Playbook"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Act" ADD CONSTRAINT "Act_playbookId_fkey" FOREIGN KEY ("playbookId") REFERENCES "Playbook"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Scene" ADD CONSTRAINT "Scene_actId_fkey" FOREIGN KEY ("actId") REFERENCES "Act"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Line" ADD CONSTRAINT "Line_sceneId_fkey" FOREIGN KEY ("sceneId") REFERENCES "Scene"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LineCharacter" ADD CONSTRAINT "LineCharacter_lineId_fkey" FOREIGN KEY ("lineId") REFERENCES "Line"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "LineCharacter" ADD CONSTRAINT "LineCharacter_characterId_fkey" FOREIGN KEY ("characterId") REFERENCES "Character"("id") ON DELETE CASCADE ON UPDATE CASCADE;
