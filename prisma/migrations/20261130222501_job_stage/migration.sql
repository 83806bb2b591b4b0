-- AlterTable
ALTER TABLE "ParseJob" ADD COLUMN     "stage" TEXT;
