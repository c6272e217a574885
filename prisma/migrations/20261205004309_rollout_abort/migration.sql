-- CreateTable
CREATE TABLE "RolloutAbort" (
    "id" UUID NOT NULL,
    "clusterId" UUID NOT NULL,
    "revisionId" UUID NOT NULL,
    "actorId" UUID,
    "actor" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RolloutAbort_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "RolloutAbort_revisionId_key" ON "RolloutAbort"("revisionId");

-- CreateIndex
CREATE INDEX "RolloutAbort_clusterId_idx" ON "RolloutAbort"("clusterId");

-- AddForeignKey
ALTER TABLE "RolloutAbort" ADD CONSTRAINT "RolloutAbort_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RolloutAbort" ADD CONSTRAINT "RolloutAbort_revisionId_fkey" FOREIGN KEY ("revisionId") REFERENCES "ConfigRevision"("id") ON DELETE CASCADE ON UPDATE CASCADE;
