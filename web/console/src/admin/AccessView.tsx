// #/access/SECTION: access administration (issue 10 item 6). Every part needs MANAGE on the
// org; a user without it sees the server's FORBIDDEN answer in each section.
import { href } from "../route";
import AuditSection from "./Audit";
import GrantsSection from "./Grants";
import PrincipalsSection from "./Principals";
import RolesSection from "./Roles";
import WorkloadsSection from "./Workloads";
import "./admin.css";

const SECTIONS = [
  ["principals", "Principals"],
  ["roles", "Roles"],
  ["grants", "Grants"],
  ["workloads", "Workloads"],
  ["audit", "Audit"],
] as const;

export default function AccessView({ section, params }: { section: string; params: URLSearchParams }) {
  return (
    <div className="admin">
      <nav className="admin-nav" aria-label="Access administration">
        {SECTIONS.map(([id, label]) => (
          <a key={id} href={href("access", id)} data-testid={`section-${id}`} aria-current={section === id ? "page" : undefined}>
            {label}
          </a>
        ))}
      </nav>
      <Section section={section} params={params} />
    </div>
  );
}

function Section({ section, params }: { section: string; params: URLSearchParams }) {
  switch (section) {
    case "principals":
      return <PrincipalsSection params={params} />;
    case "roles":
      return <RolesSection params={params} />;
    case "grants":
      return <GrantsSection params={params} />;
    case "workloads":
      return <WorkloadsSection params={params} />;
    case "audit":
      return <AuditSection params={params} />;
  }
  return <div className="state error">No access section “{section}”: choose one above.</div>;
}
