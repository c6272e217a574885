export default function Home() {
  return (
    <main className="mx-auto max-w-5xl p-8">
      <header className="mb-8 flex items-baseline justify-between border-b border-slate-200 pb-4">
        <h1 className="text-2xl font-semibold tracking-tight">Keepwatch</h1>
        <span className="text-sm text-slate-500">dashboard</span>
      </header>
      <section aria-labelledby="clusters" className="rounded-lg border border-dashed border-slate-300 bg-white p-8 text-center">
        <h2 id="clusters" className="text-lg font-medium">Clusters</h2>
        <p className="mt-2 text-slate-600">
          No clusters yet. The control plane (clusters, nodes, live VIP ownership, failover, pools and the audit log)
          is being built; this is the dashboard shell.
        </p>
      </section>
    </main>
  );
}
