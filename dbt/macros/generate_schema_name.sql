{#
  Schemas per target. Locally (DuckDB, a private file) the custom schema is used as is: staging,
  intermediate, marts. On a shared warehouse (Redshift) it is prefixed with the target schema, dbt's
  default, so each developer's and production's schemas stay apart (analytics_marts, ...).
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- elif target.type == 'duckdb' -%}
        {{ custom_schema_name | trim }}
    {%- else -%}
        {{ target.schema }}_{{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
