// #/tokens: the signed-in user's own bearer tokens (for the CLI and scripts).
import { useSession } from "../session";
import { TokensPanel } from "../admin/TokensPanel";

export default function TokensView() {
  const s = useSession();
  return (
    <div className="admin">
      <h1>My tokens</h1>
      <p className="hint">
        Bearer tokens act as you ({s.principal}), never with more rights. Send one as <code>Authorization: Bearer …</code>.
      </p>
      <TokensPanel />
    </div>
  );
}
