-- Issue #17 item 2: certificates ordered by ACME (source, the order state, columns empty until issued)
-- and one ACME account per cluster, its key sealed like the certificate keys.
-- AlterTable
ALTER TABLE "Certificate" ADD COLUMN     "failures" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "lastAttemptAt" TIMESTAMPTZ(3),
ADD COLUMN     "lastError" TEXT,
ADD COLUMN     "nextAttemptAt" TIMESTAMPTZ(3),
ADD COLUMN     "source" TEXT NOT NULL DEFAULT 'upload',
ALTER COLUMN "certificatePem" SET DEFAULT '',
ALTER COLUMN "chainPem" SET DEFAULT '',
ALTER COLUMN "sealedKey" SET DEFAULT '',
ALTER COLUMN "subject" SET DEFAULT '',
ALTER COLUMN "issuer" SET DEFAULT '',
ALTER COLUMN "notBefore" DROP NOT NULL,
ALTER COLUMN "notAfter" DROP NOT NULL,
ALTER COLUMN "fingerprintSha256" SET DEFAULT '';

-- CreateTable
CREATE TABLE "AcmeAccount" (
    "id" UUID NOT NULL,
    "clusterId" UUID NOT NULL,
    "directoryUrl" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "accountUrl" TEXT NOT NULL,
    "sealedKey" TEXT NOT NULL,
    "thumbprint" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "AcmeAccount_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "AcmeAccount_clusterId_key" ON "AcmeAccount"("clusterId");

-- AddForeignKey
ALTER TABLE "AcmeAccount" ADD CONSTRAINT "AcmeAccount_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;
