'use client';
import { useQuery } from '@tanstack/react-query';
import { api, type RouterOutputs } from '~/trpc/client';

export type Me = NonNullable<RouterOutputs['session']['me']>;
export type Role = Me['role'];

export const ME_KEY = ['session.me'] as const;

export function useMe() {
  return useQuery({ queryKey: ME_KEY, queryFn: () => api.session.me.query(), staleTime: 30_000 });
}

/** The UI hides what a role may not do; the server refuses it anyway (FORBIDDEN). */
export function can(role: Role | undefined, what: 'edit' | 'operate' | 'verify'): boolean {
  if (role === 'admin') return true;
  return role === 'operator' && what === 'operate';
}

/** The signed-in user (the query) and whether their role may do `what`. */
export function usePermission(what: 'edit' | 'operate' | 'verify') {
  const me = useMe();
  return { me, allowed: can(me.data?.role, what) };
}
