-- The contracted_discounts in force for this build: the user's settings file, else the project's seed
-- (macro settings_file_rows, orchestration/settings.py).
{{ settings_file_rows('contracted_discounts') }}
