// Shown for a checkout id the sink does not have (yet: a fresh checkout appears within a second).
import Link from 'next/link';

export default function CheckoutNotFound() {
  return (
    <section className="card empty-state">
      <h2>No such checkout</h2>
      <p>
        The sink has no row with this checkout id. A checkout that was just sent appears within a
        second or two.
      </p>
      <Link href="/checkouts" className="button">
        Back to the checkouts
      </Link>
    </section>
  );
}
