{#
  Fails for each row whose column lies outside [min_value, max_value] (either bound optional,
  both inclusive). Nulls pass: pair with not_null where a value is required.
#}
{% test accepted_range(model, column_name, min_value=none, max_value=none) %}

select {{ column_name }} as out_of_range_value
from {{ model }}
where {{ column_name }} is not null
  and (
    {% if min_value is not none %} {{ column_name }} < {{ min_value }} {% else %} 1 = 0 {% endif %}
    or
    {% if max_value is not none %} {{ column_name }} > {{ max_value }} {% else %} 1 = 0 {% endif %}
  )

{% endtest %}
