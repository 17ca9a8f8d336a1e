// What every page can reach: the control client (with the admin token, if any) and the overview of tenants.
import { createContext } from 'preact'
import { useContext } from 'preact/hooks'
import type { ControlClient, TenantOverview } from './api.ts'
import type { Resource } from './hooks.ts'

export type DashboardContext = { control: ControlClient; overview: Resource<TenantOverview> }

export const Dashboard = createContext<DashboardContext | null>(null)

export function useDashboard(): DashboardContext {
  const context = useContext(Dashboard)
  if (context === null) throw new Error('useDashboard() outside <Dashboard.Provider>')
  return context
}
