// One headline figure on the dashboard. `value` is undefined until the pipeline reports it, and
// then shows as a dash rather than a misleading zero. `raw` (the number behind the text) is
// exposed as data-value so tests can compare figures without parsing formatted text.
export function FigureCard({
  label,
  value,
  hint,
  raw,
  testId,
}: {
  label: string;
  value?: string | undefined;
  hint: string;
  raw?: number | null | undefined;
  testId?: string;
}) {
  return (
    <section className="card figure-card" aria-label={label} data-testid={testId}>
      <h2 className="figure-card__label">{label}</h2>
      <p className="figure-card__value" data-value={raw ?? undefined}>
        {value ?? '—'}
      </p>
      <p className="figure-card__hint">{hint}</p>
    </section>
  );
}
