-- CreateEnum
CREATE TYPE "Role" AS ENUM ('viewer', 'operator', 'admin');

-- CreateEnum
CREATE TYPE "DeploymentStatus" AS ENUM ('pending', 'applied', 'failed');

-- CreateEnum
CREATE TYPE "VrrpStateName" AS ENUM ('initialize', 'backup', 'master', 'fault');

-- CreateTable
CREATE TABLE "User" (
    "id" UUID NOT NULL,
    "username" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "disabled" BOOLEAN NOT NULL DEFAULT false,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Session" (
    "id" UUID NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "userId" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,
    "sourceAddress" TEXT,

    CONSTRAINT "Session_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Cluster" (
    "id" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "revision" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Cluster_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Node" (
    "id" UUID NOT NULL,
    "clusterId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "addresses" TEXT[],
    "interfaces" TEXT[],
    "credentialHash" TEXT,
    "enrollTokenHash" TEXT,
    "enrollTokenExpires" TIMESTAMPTZ(3),
    "maintenance" BOOLEAN NOT NULL DEFAULT false,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "Node_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VrrpInstance" (
    "id" UUID NOT NULL,
    "clusterId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "vrid" INTEGER NOT NULL,
    "vrrpVersion" INTEGER NOT NULL DEFAULT 2,
    "family" INTEGER NOT NULL DEFAULT 4,
    "interface" TEXT NOT NULL,
    "advertIntervalMs" INTEGER NOT NULL DEFAULT 1000,
    "preempt" BOOLEAN NOT NULL DEFAULT true,
    "preemptDelayMs" INTEGER NOT NULL DEFAULT 0,
    "authPassword" TEXT,
    "trackInterfaces" JSONB NOT NULL DEFAULT '[]',
    "trackChecks" JSONB NOT NULL DEFAULT '[]',
    "garpMasterDelayMs" INTEGER NOT NULL DEFAULT 5000,
    "garpMasterRepeat" INTEGER NOT NULL DEFAULT 5,
    "garpMasterRefreshMs" INTEGER NOT NULL DEFAULT 0,
    "garpMasterRefreshRepeat" INTEGER NOT NULL DEFAULT 1,
    "promotedNodeId" UUID,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "VrrpInstance_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VrrpMember" (
    "id" UUID NOT NULL,
    "instanceId" UUID NOT NULL,
    "nodeId" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "priority" INTEGER NOT NULL,
    "initialState" TEXT NOT NULL,
    "interface" TEXT,
    "unicastSrcIp" TEXT,
    "unicastPeers" TEXT[],

    CONSTRAINT "VrrpMember_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Vip" (
    "id" UUID NOT NULL,
    "instanceId" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "address" TEXT NOT NULL,
    "prefix" INTEGER,
    "dev" TEXT,

    CONSTRAINT "Vip_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "HealthCheck" (
    "id" UUID NOT NULL,
    "clusterId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "definition" JSONB NOT NULL,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "HealthCheck_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UpstreamPool" (
    "id" UUID NOT NULL,
    "clusterId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "method" JSONB NOT NULL,
    "keepalive" INTEGER,
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "UpstreamPool_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UpstreamServer" (
    "id" UUID NOT NULL,
    "poolId" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "address" TEXT NOT NULL,
    "port" INTEGER NOT NULL,
    "weight" INTEGER,
    "maxFails" INTEGER,
    "failTimeoutMs" INTEGER,
    "backup" BOOLEAN NOT NULL DEFAULT false,
    "down" BOOLEAN NOT NULL DEFAULT false,

    CONSTRAINT "UpstreamServer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "VirtualServer" (
    "id" UUID NOT NULL,
    "clusterId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "listen" JSONB NOT NULL,
    "serverNames" TEXT[],
    "version" INTEGER NOT NULL DEFAULT 1,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "VirtualServer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Location" (
    "id" UUID NOT NULL,
    "virtualServerId" UUID NOT NULL,
    "position" INTEGER NOT NULL,
    "path" TEXT NOT NULL,
    "poolId" UUID NOT NULL,
    "proxyConnectTimeoutMs" INTEGER,
    "proxyReadTimeoutMs" INTEGER,
    "proxySendTimeoutMs" INTEGER,
    "headers" JSONB NOT NULL DEFAULT '[]',

    CONSTRAINT "Location_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConfigRevision" (
    "id" UUID NOT NULL,
    "clusterId" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "spec" JSONB NOT NULL,
    "specHash" TEXT NOT NULL,
    "summary" TEXT NOT NULL,
    "createdById" UUID,
    "createdBy" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ConfigRevision_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Deployment" (
    "id" UUID NOT NULL,
    "revisionId" UUID NOT NULL,
    "nodeId" UUID NOT NULL,
    "status" "DeploymentStatus" NOT NULL DEFAULT 'pending',
    "stage" TEXT,
    "message" TEXT,
    "nginxOutput" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,
    "finishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "Deployment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StateTransition" (
    "id" BIGSERIAL NOT NULL,
    "clusterId" UUID NOT NULL,
    "nodeId" UUID NOT NULL,
    "instance" TEXT NOT NULL,
    "vrid" INTEGER NOT NULL,
    "fromState" "VrrpStateName" NOT NULL,
    "toState" "VrrpStateName" NOT NULL,
    "reason" TEXT NOT NULL,
    "priority" INTEGER NOT NULL,
    "seq" BIGINT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StateTransition_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuditLog" (
    "seq" BIGINT NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,
    "actorId" UUID,
    "actor" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "targetType" TEXT NOT NULL,
    "targetId" TEXT,
    "before" JSONB,
    "after" JSONB,
    "sourceAddress" TEXT,
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "AuditLog_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_username_key" ON "User"("username");

-- CreateIndex
CREATE UNIQUE INDEX "Session_tokenHash_key" ON "Session"("tokenHash");

-- CreateIndex
CREATE INDEX "Session_userId_idx" ON "Session"("userId");

-- CreateIndex
CREATE UNIQUE INDEX "Cluster_name_key" ON "Cluster"("name");

-- CreateIndex
CREATE UNIQUE INDEX "Node_credentialHash_key" ON "Node"("credentialHash");

-- CreateIndex
CREATE UNIQUE INDEX "Node_enrollTokenHash_key" ON "Node"("enrollTokenHash");

-- CreateIndex
CREATE UNIQUE INDEX "Node_clusterId_name_key" ON "Node"("clusterId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "VrrpInstance_clusterId_name_key" ON "VrrpInstance"("clusterId", "name");

-- CreateIndex
CREATE INDEX "VrrpMember_nodeId_idx" ON "VrrpMember"("nodeId");

-- CreateIndex
CREATE UNIQUE INDEX "VrrpMember_instanceId_nodeId_key" ON "VrrpMember"("instanceId", "nodeId");

-- CreateIndex
CREATE UNIQUE INDEX "Vip_instanceId_address_key" ON "Vip"("instanceId", "address");

-- CreateIndex
CREATE UNIQUE INDEX "HealthCheck_clusterId_name_key" ON "HealthCheck"("clusterId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "UpstreamPool_clusterId_name_key" ON "UpstreamPool"("clusterId", "name");

-- CreateIndex
CREATE UNIQUE INDEX "UpstreamServer_poolId_address_port_key" ON "UpstreamServer"("poolId", "address", "port");

-- CreateIndex
CREATE UNIQUE INDEX "VirtualServer_clusterId_name_key" ON "VirtualServer"("clusterId", "name");

-- CreateIndex
CREATE INDEX "Location_poolId_idx" ON "Location"("poolId");

-- CreateIndex
CREATE UNIQUE INDEX "Location_virtualServerId_path_key" ON "Location"("virtualServerId", "path");

-- CreateIndex
CREATE UNIQUE INDEX "ConfigRevision_clusterId_number_key" ON "ConfigRevision"("clusterId", "number");

-- CreateIndex
CREATE INDEX "Deployment_nodeId_status_idx" ON "Deployment"("nodeId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "Deployment_revisionId_nodeId_key" ON "Deployment"("revisionId", "nodeId");

-- CreateIndex
CREATE INDEX "StateTransition_clusterId_at_idx" ON "StateTransition"("clusterId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "StateTransition_nodeId_seq_key" ON "StateTransition"("nodeId", "seq");

-- CreateIndex
CREATE UNIQUE INDEX "AuditLog_hash_key" ON "AuditLog"("hash");

-- CreateIndex
CREATE INDEX "AuditLog_targetType_targetId_idx" ON "AuditLog"("targetType", "targetId");

-- CreateIndex
CREATE INDEX "AuditLog_at_idx" ON "AuditLog"("at");

-- AddForeignKey
ALTER TABLE "Session" ADD CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Node" ADD CONSTRAINT "Node_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VrrpInstance" ADD CONSTRAINT "VrrpInstance_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VrrpInstance" ADD CONSTRAINT "VrrpInstance_promotedNodeId_fkey" FOREIGN KEY ("promotedNodeId") REFERENCES "Node"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VrrpMember" ADD CONSTRAINT "VrrpMember_instanceId_fkey" FOREIGN KEY ("instanceId") REFERENCES "VrrpInstance"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VrrpMember" ADD CONSTRAINT "VrrpMember_nodeId_fkey" FOREIGN KEY ("nodeId") REFERENCES "Node"("id") ON DELETE NO ACTION ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Vip" ADD CONSTRAINT "Vip_instanceId_fkey" FOREIGN KEY ("instanceId") REFERENCES "VrrpInstance"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "HealthCheck" ADD CONSTRAINT "HealthCheck_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UpstreamPool" ADD CONSTRAINT "UpstreamPool_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UpstreamServer" ADD CONSTRAINT "UpstreamServer_poolId_fkey" FOREIGN KEY ("poolId") REFERENCES "UpstreamPool"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "VirtualServer" ADD CONSTRAINT "VirtualServer_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Location" ADD CONSTRAINT "Location_virtualServerId_fkey" FOREIGN KEY ("virtualServerId") REFERENCES "VirtualServer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Location" ADD CONSTRAINT "Location_poolId_fkey" FOREIGN KEY ("poolId") REFERENCES "UpstreamPool"("id") ON DELETE NO ACTION ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConfigRevision" ADD CONSTRAINT "ConfigRevision_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Deployment" ADD CONSTRAINT "Deployment_revisionId_fkey" FOREIGN KEY ("revisionId") REFERENCES "ConfigRevision"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Deployment" ADD CONSTRAINT "Deployment_nodeId_fkey" FOREIGN KEY ("nodeId") REFERENCES "Node"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StateTransition" ADD CONSTRAINT "StateTransition_clusterId_fkey" FOREIGN KEY ("clusterId") REFERENCES "Cluster"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "StateTransition" ADD CONSTRAINT "StateTransition_nodeId_fkey" FOREIGN KEY ("nodeId") REFERENCES "Node"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Append-only tables: the audit log and config revisions are never edited or deleted by the
-- application. The trigger makes that a property of the database, not only of the code: an
-- UPDATE or DELETE fails unless a superuser disables the trigger, and a tampered audit row is
-- then still found by the hash chain (services/audit.ts verifyAuditChain).
CREATE FUNCTION keepwatch_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;

CREATE TRIGGER "AuditLog_append_only" BEFORE UPDATE OR DELETE ON "AuditLog"
  FOR EACH ROW EXECUTE FUNCTION keepwatch_refuse_change();
CREATE TRIGGER "AuditLog_no_truncate" BEFORE TRUNCATE ON "AuditLog"
  FOR EACH STATEMENT EXECUTE FUNCTION keepwatch_refuse_change();
CREATE TRIGGER "ConfigRevision_immutable" BEFORE UPDATE ON "ConfigRevision"
  FOR EACH ROW EXECUTE FUNCTION keepwatch_refuse_change();
