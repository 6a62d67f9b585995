{#- Display names FOCUS asks for: who issues the invoice and runs the service (the
    seller: provider), and who made the model (publisher). -#}
{% macro provider_display_name(provider) -%}
    case {{ provider }}
        when 'anthropic' then 'Anthropic'
        when 'openai' then 'OpenAI'
        when 'google' then 'Google'
        when 'aws' then 'Amazon Web Services'
        else {{ provider }}
    end
{%- endmacro %}

{% macro provider_service_name(provider) -%}
    case {{ provider }}
        when 'anthropic' then 'Claude API'
        when 'openai' then 'OpenAI API'
        when 'google' then 'Gemini API and Vertex AI'
        when 'aws' then 'Amazon Bedrock'
        else {{ provider }}
    end
{%- endmacro %}

{% macro model_publisher_name(model_id, provider) -%}
    case
        when {{ model_id }} like '%claude%' then 'Anthropic'
        when {{ model_id }} like '%gemini%' or {{ model_id }} like '%gemma%' then 'Google'
        when {{ model_id }} like '%gpt%' or {{ model_id }} like 'o_' or {{ model_id }} like 'o_-%'
            or {{ model_id }} like '%openai.%' then 'OpenAI'
        else {{ provider_display_name(provider) }}
    end
{%- endmacro %}
