// One headline figure on the dashboard. `value` is undefined until the pipeline reports it, and
// then shows as a dash rather than a misleading zero.
export function FigureCard({
  label,
  value,
  hint,
}: {
  label: string;
  value?: string | undefined;
  hint: string;
}) {
  return (
    <section className="card figure-card" aria-label={label}>
      <h2 className="figure-card__label">{label}</h2>
      <p className="figure-card__value">{value ?? '—'}</p>
      <p className="figure-card__hint">{hint}</p>
    </section>
  );
}
