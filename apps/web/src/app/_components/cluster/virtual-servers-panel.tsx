'use client';
/** The cluster's virtual servers (nginx server blocks): listen sockets, names, locations; admins create and delete them. */
import { api } from '~/trpc/client';
import { DataTable } from '../table';
import { Banner, Loading, mutedClass, Section } from '../ui';
import { NewVirtualServerForm } from './create-proxy';
import { CreateSlot, NewButton, useCreating } from './panels';
import { useClusterScope, usePools, useVirtualServers } from './scope';
import { DeleteAction } from './spec-change';

const hostPort = (l: { address?: string | undefined; port: number }) =>
  `${l.address ? (l.address.includes(':') ? `[${l.address}]` : l.address) : '*'}:${l.port}`;

export function VirtualServersPanel({ canEdit }: { canEdit: boolean }) {
  const { clusterId } = useClusterScope();
  const servers = useVirtualServers();
  const pools = usePools();
  const c = useCreating();
  return (
    <Section
      title="Virtual servers"
      id="virtual-servers"
      // Offered once the pools are read: the form's first location names the first pool.
      actions={canEdit && !c.creating && pools.data && <NewButton what="virtual server" onClick={c.open} />}
    >
      <div className="space-y-2">
        <CreateSlot c={c}>
          <NewVirtualServerForm
            clusterId={clusterId}
            pools={(pools.data ?? []).map((p) => p.pool.name)}
            onDone={c.done}
            onCancel={c.cancel}
          />
        </CreateSlot>
        {servers.isPending && <Loading what="virtual servers" />}
        {servers.isError && <Banner tone="error">Virtual servers unavailable: {servers.error.message}</Banner>}
        {servers.data?.length === 0 && <p className={`text-sm ${mutedClass}`}>No virtual servers.</p>}
        {servers.data && servers.data.length > 0 && (
          <DataTable columns={['Virtual server', 'Listen', 'Server names', 'Locations']} actions={canEdit && 'Actions'}>
            {servers.data.map((r) => {
              const v = r.virtualServer;
              return (
                <tr key={r.id} className="border-t border-slate-100 align-top dark:border-slate-800">
                  <th scope="row" className="py-1 pr-3 font-medium">
                    {v.name}
                  </th>
                  <td className="py-1 pr-3 font-mono text-xs">
                    {v.listen.map((l) => hostPort(l) + (l.defaultServer ? ' default' : '')).join(', ')}
                  </td>
                  <td className="py-1 pr-3 font-mono text-xs">{v.serverNames.join(' ') || 'any'}</td>
                  <td className="py-1 pr-3 font-mono text-xs">
                    {v.locations.map((l) => `${l.path} → ${l.pool}`).join(', ')}
                  </td>
                  {canEdit && (
                    <td className="py-1 text-right">
                      <DeleteAction
                        what="virtual server"
                        field="virtualServer"
                        name={v.name}
                        obj={v}
                        list="virtualServers.list"
                        remove={() => api.virtualServers.delete.mutate({ id: r.id, version: r.version })}
                        nginx={() => api.virtualServers.previewDelete.query({ clusterId, id: r.id })}
                        onDeleted={c.setNotice}
                      />
                    </td>
                  )}
                </tr>
              );
            })}
          </DataTable>
        )}
      </div>
    </Section>
  );
}
