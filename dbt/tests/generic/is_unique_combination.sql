{#
  Fails for each combination of the given columns that occurs more than once: the grain test
  of a model keyed by several columns.
#}
{% test is_unique_combination(model, combination_of_columns) %}

select {{ combination_of_columns | join(', ') }}, count(*) as occurrences
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1

{% endtest %}
