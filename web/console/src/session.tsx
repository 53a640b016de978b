// The signed-in user, the org it acts in and the branch it looks at, for every view.
import { createContext, useContext } from "react";

export interface SessionState {
  /** The principal reference, e.g. user:jane@acme. */
  principal: string;
  name: string;
  /** The org the requests act in. */
  org: string;
  /** Every org the user is a member of. */
  orgs: string[];
  branch: string;
  setBranch: (b: string) => void;
  setOrg: (o: string) => void;
  signOut: () => void;
}

export const SessionContext = createContext<SessionState | null>(null);

export function useSession(): SessionState {
  const s = useContext(SessionContext);
  if (!s) throw new Error("useSession outside the signed-in shell");
  return s;
}
