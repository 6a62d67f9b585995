-- The attribution_rules in force for this build: the user's settings file, else the project's seed
-- (macro settings_file_rows, orchestration/settings.py).
{{ settings_file_rows('attribution_rules') }}
