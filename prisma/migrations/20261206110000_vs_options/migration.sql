-- Spec fields of virtual servers and locations without a column of their own (TLS and the
-- proxy-host options of issue #17): stored as given and validated by the cluster spec schema.
-- AlterTable
ALTER TABLE "Location" ADD COLUMN     "options" JSONB NOT NULL DEFAULT '{}';

-- AlterTable
ALTER TABLE "VirtualServer" ADD COLUMN     "options" JSONB NOT NULL DEFAULT '{}';
