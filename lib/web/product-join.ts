// How a sink row finds its product's name: product_id is text on the wire, commerce.products.id
// is an integer. Casting only ids that look like integers keeps the join on the primary key and
// never fails on a non-numeric product id.

/** A LEFT JOIN of commerce.products as `p` onto a table aliased `alias`. */
export function productJoin(alias: string): string {
  return `LEFT JOIN commerce.products p ON p.id = CASE WHEN ${alias}.product_id ~ '^[0-9]{1,9}$' THEN ${alias}.product_id::int END`;
}
