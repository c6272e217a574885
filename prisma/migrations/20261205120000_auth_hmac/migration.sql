-- AlterTable
ALTER TABLE "VrrpInstance" ADD COLUMN     "authHmac" JSONB;
