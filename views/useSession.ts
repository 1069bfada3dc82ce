import { createContext, useContext, useSyncExternalStore } from 'react';
import type { ConsoleSession, ReleaseSnapshot } from './port.js';

// The console's one connection to the running session: the chart's snapshot as
// a React external store. Views read it and send events; nothing else.

export const ConsoleSessionContext = createContext<ConsoleSession | null>(null);

export function useConsoleSession(): ConsoleSession {
  const session = useContext(ConsoleSessionContext);
  if (!session) throw new Error('useConsoleSession() outside <ConsoleSessionContext.Provider>');
  return session;
}

/** The chart as it is now; re-renders on every transition or context change. */
export function useSession(): ReleaseSnapshot {
  const session = useConsoleSession();
  return useSyncExternalStore(session.subscribe, session.getSnapshot);
}
