// Tag chips: present tags (.chip[data-tag]) and declared cancellations (.chip.cancel[data-tag]).
export function Chips({ tags, cancels = [], empty }: { tags: string[]; cancels?: string[]; empty?: string }) {
  if (tags.length === 0 && cancels.length === 0) return empty ? <span className="hint">{empty}</span> : null;
  return (
    <span className="chips">
      {tags.map((t) => (
        <span key={"t" + t} className="chip" data-tag={t} title={`${t} is present`}>
          {t}
        </span>
      ))}
      {cancels.map((t) => (
        <span key={"c" + t} className="chip cancel" data-tag={t} title={`declares ~${t}: cancels ${t} here`}>
          ~{t}
        </span>
      ))}
    </span>
  );
}
