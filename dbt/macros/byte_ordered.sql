{#
  A string expression that sorts and compares in UTF-8 byte order, the tie-break order of the spec
  (click ids). DuckDB's default collation is binary (memcmp over UTF-8) as long as no
  default_collation is configured, so the expression is returned as is. Redshift sorts by binary
  UTF-8 too, except in a database or column created CASE_INSENSITIVE: the explicit case-sensitive
  collation keeps the order exact there as well.
#}
{% macro byte_ordered(expression) -%}
    {{ return(adapter.dispatch('byte_ordered', 'clickstream')(expression)) }}
{%- endmacro %}

{% macro default__byte_ordered(expression) -%}
    {{ expression }}
{%- endmacro %}

{% macro redshift__byte_ordered(expression) -%}
    collate({{ expression }}, 'case_sensitive')
{%- endmacro %}
