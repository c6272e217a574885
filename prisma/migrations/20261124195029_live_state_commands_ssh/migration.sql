-- CreateEnum
CREATE TYPE "CommandStatus" AS ENUM ('pending', 'sent', 'accepted', 'completed', 'refused', 'failed');

-- AlterTable
ALTER TABLE "Node" ADD COLUMN     "agentAddress" TEXT,
ADD COLUMN     "agentVersion" TEXT,
ADD COLUMN     "checkResults" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "lastSeenAt" TIMESTAMPTZ(3),
ADD COLUMN     "liveState" JSONB;

-- CreateTable
CREATE TABLE "FailoverCommand" (
    "id" UUID NOT NULL,
    "clusterId" UUID NOT NULL,
    "nodeId" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "instance" TEXT,
    "status" "CommandStatus" NOT NULL DEFAULT 'pending',
    "reason" TEXT,
    "actor" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "finishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "FailoverCommand_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SshHost" (
    "id" UUID NOT NULL,
    "nodeId" UUID NOT NULL,
    "host" TEXT NOT NULL,
    "port" INTEGER NOT NULL DEFAULT 22,
    "username" TEXT NOT NULL,
    "hostKeyFingerprint" TEXT NOT NULL,
    "hostKeyType" TEXT NOT NULL,
    "encryptedPrivateKey" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "SshHost_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "FailoverCommand_clusterId_createdAt_idx" ON "FailoverCommand"("clusterId", "createdAt");

-- CreateIndex
CREATE INDEX "FailoverCommand_nodeId_status_idx" ON "FailoverCommand"("nodeId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "SshHost_nodeId_key" ON "SshHost"("nodeId");

-- AddForeignKey
ALTER TABLE "FailoverCommand" ADD CONSTRAINT "FailoverCommand_nodeId_fkey" FOREIGN KEY ("nodeId") REFERENCES "Node"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SshHost" ADD CONSTRAINT "SshHost_nodeId_fkey" FOREIGN KEY ("nodeId") REFERENCES "Node"("id") ON DELETE CASCADE ON UPDATE CASCADE;
