'use client';
// A labelled number input. Keeps what the user typed (even an empty box) and reports NaN for
// it: the server's schema then answers with what is wrong, so the browser's limits are a hint,
// not the rule.
import { useEffect, useState } from 'react';

export function NumberField({
  label,
  value,
  onChange,
  unit,
  hint,
  name,
  min,
  max,
  step,
}: {
  label: string;
  value: number;
  onChange: (value: number) => void;
  unit?: string;
  hint?: string;
  name: string;
  min?: number;
  max?: number;
  step?: number | 'any';
}) {
  const [text, setText] = useState(Number.isFinite(value) ? String(value) : '');
  // Follow outside changes (a preset), but not the echo of our own typing.
  useEffect(() => {
    setText((current) => {
      if (Number.isNaN(value)) return current;
      return Number(current) === value && current.trim() !== '' ? current : String(value);
    });
  }, [value]);
  return (
    <label className="field">
      <span className="field__label">
        {label}
        {unit && <span className="field__unit"> ({unit})</span>}
      </span>
      <input
        type="number"
        name={name}
        inputMode="decimal"
        value={text}
        min={min}
        max={max}
        step={step}
        onChange={(e) => {
          setText(e.target.value);
          onChange(e.target.value.trim() === '' ? Number.NaN : Number(e.target.value));
        }}
      />
      {hint && <span className="field__hint">{hint}</span>}
    </label>
  );
}
